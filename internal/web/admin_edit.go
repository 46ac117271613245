package web

// editingRoutes registers the workspace's editing of the registry under /admin/.
func (s *Server) editingRoutes() {}
