package web

// reportRoutes registers the public report form (/{lang}/report) and its triage queue.
func (s *Server) reportRoutes() {}
