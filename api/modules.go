package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	rpcclient "github.com/cometbft/cometbft/rpc/client"

	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/client"
)

var pathParamRE = regexp.MustCompile(`\{([a-z_]+)\}`)

// moduleRoutes serves every module's published queries: GET /v1<path>?height=H&pending=true.
func (s *Server) moduleRoutes(modules []chain.Module) []Route {
	var out []Route
	for _, m := range modules {
		rp, ok := m.(chain.RouteProvider)
		if !ok {
			continue
		}
		for _, qr := range rp.QueryRoutes() {
			qr := qr
			var params []Param
			for _, p := range pathParamRE.FindAllStringSubmatch(qr.Path, -1) {
				params = append(params, Param{Name: p[1], In: "path", Required: true, Description: paramDescription(p[1])})
			}
			for _, qp := range qr.Params {
				params = append(params, Param{Name: qp.Name, In: "query", Description: qp.Description})
			}
			params = append(params,
				Param{Name: "height", In: "query", Description: "answer as of this block height (default: the latest)"},
				Param{Name: "pending", In: "query", Description: "true: as the node's mempool sees it (committed state plus admitted txs)"})
			out = append(out, Route{Method: "GET", Path: qr.Path, Tag: m.Name(), Summary: qr.Summary, Params: params, Response: qr.Response,
				Handler: func(_ http.ResponseWriter, r *http.Request) (any, error) { return s.moduleQuery(r, qr) }})
		}
	}
	return out
}

func paramDescription(name string) string {
	switch name {
	case "address":
		return "gir1… address"
	case "denom":
		return "base denom, e.g. ugrd"
	}
	return name
}

func (s *Server) moduleQuery(r *http.Request, qr chain.QueryRoute) (any, error) {
	path := pathParamRE.ReplaceAllStringFunc(qr.Query, func(p string) string {
		v := r.PathValue(strings.Trim(p, "{}"))
		return strings.ReplaceAll(v, "/", "%2F") // a value never adds path segments
	})
	q := r.URL.Query()
	data := url.Values{}
	for _, qp := range qr.Params {
		if v, ok := q[qp.Name]; ok {
			data[qp.Name] = v
		}
	}
	for name := range q {
		if name != "height" && name != "pending" && data[name] == nil {
			return nil, badRequest("unknown query parameter %q", name)
		}
	}
	var height int64
	if v := q.Get("height"); v != "" {
		h, err := parseHeight(v)
		if err != nil {
			return nil, err
		}
		height = h
	}
	switch v := q.Get("pending"); v {
	case "", "false":
	case "true":
		if height != 0 {
			return nil, badRequest("pending and height exclude each other")
		}
		path = "/pending" + path
	default:
		return nil, badRequest("pending=%q: want true or false", v)
	}
	var body []byte
	if len(data) > 0 {
		body = []byte(data.Encode())
	}
	res, err := s.rpc.ABCIQueryWithOptions(r.Context(), path, body, abciOpts(height))
	if err != nil {
		return nil, unavailable(err)
	}
	if res.Response.Code != 0 {
		return nil, client.ChainError(res.Response.Codespace, res.Response.Code, res.Response.Log)
	}
	return json.RawMessage(res.Response.Value), nil
}

func abciOpts(h int64) rpcclient.ABCIQueryOptions { return rpcclient.ABCIQueryOptions{Height: h} }
