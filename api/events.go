package api

import "context"

// hub fans live events out to server-sent-event clients. (Stub: being written.)
type hub struct{ s *Server }

func newHub(s *Server) *hub                { return &hub{s: s} }
func (h *hub) start(context.Context) error { return nil }
func (h *hub) stop()                       {}
func (s *Server) eventRoutes() []Route     { return nil }
