package api

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/girder-chain/girder/codes"
)

// Problem is an RFC 9457 problem detail, with Girder's module and code when the chain refused.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail"`
	Instance string `json:"instance,omitempty"`
	Module   string `json:"module,omitempty"`
	Code     uint32 `json:"code,omitempty"`
}

// httpError is an API-level failure (bad request, not found, …) with its status.
type httpError struct {
	status int
	title  string
	detail string
}

func (e *httpError) Error() string { return e.detail }

func badRequest(format string, a ...any) error {
	return &httpError{http.StatusBadRequest, "bad request", fmt.Sprintf(format, a...)}
}

func notFound(format string, a ...any) error {
	return &httpError{http.StatusNotFound, "not found", fmt.Sprintf(format, a...)}
}

func forbidden(format string, a ...any) error {
	return &httpError{http.StatusForbidden, "forbidden", fmt.Sprintf(format, a...)}
}

func unavailable(err error) error {
	return &httpError{http.StatusBadGateway, "node unavailable", err.Error()}
}

// statusOf maps a chain failure to an HTTP status: not found → 404, a refused tx or bad query →
// 422/400, anything else the chain calls internal → 500.
func statusOf(e *codes.Error) int {
	switch {
	case e.Module == "query" && e.Code == 2:
		return http.StatusNotFound
	case e.Module == "query":
		return http.StatusBadRequest
	case e.Module == "girder" && e.Code == 1:
		return http.StatusInternalServerError
	}
	return http.StatusUnprocessableEntity
}

func writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	p := Problem{Type: "about:blank", Instance: r.URL.Path}
	var he *httpError
	var ce *codes.Error
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		p.Status, p.Title, p.Detail = http.StatusRequestEntityTooLarge, "request too large", fmt.Sprintf("the body exceeds %d bytes", mbe.Limit)
	case errors.As(err, &he):
		p.Status, p.Title, p.Detail = he.status, he.title, he.detail
	case errors.As(err, &ce):
		p.Status, p.Detail, p.Module, p.Code = statusOf(ce), ce.Msg, ce.Module, ce.Code
		p.Title = ce.Desc
		if p.Title == "" {
			p.Title = "refused by the chain"
		}
		p.Type = fmt.Sprintf("urn:girder:error:%s:%d", ce.Module, ce.Code) // listed in docs/transactions.md
	default:
		p.Status, p.Title, p.Detail = http.StatusInternalServerError, "internal error", err.Error()
	}
	writeJSONAs(w, "application/problem+json", p.Status, p)
}
