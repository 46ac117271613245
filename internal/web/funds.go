package web

// fundsRoutes registers donations: campaigns, Stripe Checkout, webhooks, ledger, transparency.
func (s *Server) fundsRoutes() {}
