package api

// docRoutes serve the API description. (Stub: being written.)
func (s *Server) docRoutes() []Route { return nil }
