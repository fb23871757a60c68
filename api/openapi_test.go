package api_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/api"
	"github.com/girder-chain/girder/app"
	"github.com/girder-chain/girder/authority"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/client"
	"github.com/girder-chain/girder/codes"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/internal/nodetest"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/assets"
	"github.com/girder-chain/girder/x/auth"
	"github.com/girder-chain/girder/x/bank"
	"github.com/girder-chain/girder/x/compliance"
	"github.com/girder-chain/girder/x/distributions"
	"github.com/girder-chain/girder/x/governance"
	"github.com/girder-chain/girder/x/identity"
	"github.com/girder-chain/girder/x/offerings"
	"github.com/girder-chain/girder/x/passes"
	"github.com/girder-chain/girder/x/projects"
	"github.com/girder-chain/girder/x/vesting"
)

// fetchSpec fetches and decodes /v1/openapi.json (numbers as json.Number).
func fetchSpec(t *testing.T, base string) (map[string]any, []byte) {
	t.Helper()
	a := call(t, "GET", base+"/v1/openapi.json", "")
	if a.status != 200 || a.header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /v1/openapi.json: %d %q %.300s", a.status, a.header.Get("Content-Type"), a.body)
	}
	return decodeSpec(t, a.body), a.body
}

func decodeSpec(t *testing.T, b []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("the OpenAPI document is not JSON: %v", err)
	}
	return doc
}

var httpMethods = map[string]bool{"get": true, "put": true, "post": true, "delete": true, "options": true, "head": true, "patch": true, "trace": true}

// operations lists the document's operations by "METHOD /path".
func operations(t *testing.T, doc map[string]any) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	paths, ok := doc["paths"].(map[string]any)
	if !ok || len(paths) == 0 {
		t.Fatalf("no paths in the document")
	}
	for p, item := range paths {
		for m, op := range item.(map[string]any) {
			if !httpMethods[m] {
				t.Fatalf("path %s: %q is not an operation", p, m)
			}
			out[strings.ToUpper(m)+" "+p] = op.(map[string]any)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var templateParamRE = regexp.MustCompile(`\{([^{}]+)\}`)

// TestOpenAPIMatchesRoutes fails when the API has a route its description lacks, or describes a
// route the mux does not serve; and every answer of every route fits the schema it is described
// with.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	tn := testNode(t)
	// A started server (live events need it), on a free loopback port.
	s, _ := nodetest.StartAPI(t, tn.n, api.Config{Addr: "127.0.0.1:0"})
	base := "http://" + s.Addr()
	waitHeight(t, base, 2)
	doc, _ := fetchSpec(t, base)
	ops := operations(t, doc)

	routes := map[string]api.Route{}
	for _, r := range s.Routes() {
		k := r.Method + " /v1" + r.Path
		if _, dup := routes[k]; dup {
			t.Fatalf("route %s twice", k)
		}
		routes[k] = r
	}
	for _, k := range sortedKeys(routes) {
		if ops[k] == nil {
			t.Errorf("route %s is not in the OpenAPI document", k)
		}
	}
	for _, k := range sortedKeys(ops) {
		if _, ok := routes[k]; !ok {
			t.Errorf("the OpenAPI document describes %s, which is not a route", k)
		}
	}
	for _, k := range []string{"GET /v1/openapi.json", "GET /v1/docs", "GET /v1/status", "POST /v1/txs", "GET /v1/accounts/{address}/balances/{denom}"} {
		if ops[k] == nil {
			t.Errorf("the document lacks %s", k)
		}
	}

	// Real values for the parameters, and a committed tx.
	raw := signedSend(t, tn, tn.alice, tn.bob, 10, client.BuildOptions{})
	var br broadcastView
	postJSON(t, base+"/v1/txs", map[string]string{"tx": b64(raw), "mode": "commit"}, &br)
	values := map[string]string{"address": tn.alice.Address().String(), "denom": "ugrd", "height": "1", "hash": br.Hash, "role": "admin"}
	values["identity"], values["credential"] = probeIdentity(t, tn)
	values["denom"] = probeAsset(t, tn)
	offering, checkpoint, distribution := probeSecurities(t, tn, values["denom"])
	values["checkpoint"] = checkpoint
	// {id} means a hold or an alert in compliance routes, and another record elsewhere.
	project := probeProject(t, tn, values["denom"]+"c")
	values["entry"], values["milestone"], values["change"] = "1", "m1", "1"
	values["parameter"] = "tariff_cap"
	grant := probeGrant(t, tn)
	proposal := probeProposal(t, tn, values["denom"])
	class, pass := probePasses(t, tn, project, values["denom"]+"c")
	values["project"] = project
	values["voter"] = tn.alice.Address().String()
	idUnder := map[string]string{"/v1/offerings/": offering, "/v1/distributions/checkpoints/": checkpoint, "/v1/distributions/": distribution,
		"/v1/projects/": project, "/v1/vesting/": grant, "/v1/governance/": proposal,
		"/v1/passes/classes/": class, "/v1/passes/passes/": pass}
	values["scope"], values["id"] = "chain", probeCompliance(t, tn)
	values["from"], values["to"], values["amount"] = tn.alice.Address().String(), tn.bob.Address().String(), "10ugrd"

	// The catch-all is recognisable.
	if a := call(t, "GET", base+"/v1/not-a-route", ""); !isCatchAll(a) {
		t.Fatalf("the catch-all answer is not recognised: %d %s", a.status, a.body)
	}
	// The mux serves every described operation, and its answers fit their schemas.
	for _, k := range sortedKeys(ops) {
		method, path, _ := strings.Cut(k, " ")
		url := templateParamRE.ReplaceAllStringFunc(path, func(p string) string {
			if p == "{id}" {
				best := ""
				for prefix := range idUnder {
					if strings.HasPrefix(path, prefix) && len(prefix) > len(best) {
						best = prefix
					}
				}
				if best != "" {
					return idUnder[best]
				}
			}
			if p == "{address}" && strings.HasPrefix(path, "/v1/offerings/") {
				return tn.bob.Address().String() // bob subscribed; alice issues
			}
			if v, ok := values[strings.Trim(p, "{}")]; ok {
				return v
			}
			return "1"
		})
		r := routes[k]
		if r.Stream {
			probeStream(t, base+url, k)
			continue
		}
		body := ""
		switch k {
		case "POST /v1/txs":
			body = mustJSON(map[string]string{"tx": b64(signedSend(t, tn, tn.alice, tn.bob, 11, client.BuildOptions{})), "mode": "commit"})
		case "POST /v1/simulate":
			body = mustJSON(map[string]string{"tx": b64(signedSend(t, tn, tn.bob, tn.alice, 12, client.BuildOptions{}))})
		default:
			if method == "POST" {
				body = "{}"
			}
		}
		a := call(t, method, base+url, body)
		if isCatchAll(a) {
			t.Errorf("%s (probed as %s %s) is described but not served: %s", k, method, url, a.body)
			continue
		}
		ct := strings.TrimSpace(strings.Split(a.header.Get("Content-Type"), ";")[0])
		op := ops[k]
		code := "200"
		if a.status != 200 {
			code = "default"
		}
		if code == "default" && !(method == "POST" && body == "{}") {
			t.Errorf("%s with real values: %d %s", k, a.status, a.body)
		}
		resp, _ := op["responses"].(map[string]any)[code].(map[string]any)
		media, ok := resp["content"].(map[string]any)[ct].(map[string]any)
		if !ok {
			t.Errorf("%s answered %d %s, which its description lacks", k, a.status, ct)
			continue
		}
		if !strings.HasSuffix(ct, "json") {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(a.body))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Errorf("%s: answer is not JSON: %v", k, err)
			continue
		}
		if err := fitsSchema(doc, media["schema"], v, "answer"); err != nil {
			t.Errorf("%s: the answer does not fit its schema: %v\n%s", k, err, a.body)
		}
	}
	// A problem fits the problem schema too.
	a := call(t, "GET", base+"/v1/txs/"+strings.Repeat("0", 64), "")
	dec := json.NewDecoder(bytes.NewReader(a.body))
	dec.UseNumber()
	var v any
	_ = dec.Decode(&v)
	if err := fitsSchema(doc, map[string]any{"$ref": "#/components/schemas/api.Problem"}, v, "problem"); err != nil || a.status != 404 {
		t.Errorf("a problem: %d %v", a.status, err)
	}
}

func isCatchAll(a httpAnswer) bool {
	var p api.Problem
	return a.status == http.StatusNotFound && json.Unmarshal(a.body, &p) == nil && strings.HasPrefix(p.Detail, "no API route")
}

// probeStream opens a server-sent-event stream and checks its headers.
func probeStream(t *testing.T, url, what string) {
	t.Helper()
	reqCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(reqCtx, "GET", url, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("%s: %v", what, err)
		return
	}
	defer res.Body.Close()
	if res.StatusCode == 404 {
		b, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
		if isCatchAll(httpAnswer{res.StatusCode, res.Header, b}) {
			t.Errorf("%s is described but not served", what)
		}
		return
	}
	if ct := res.Header.Get("Content-Type"); res.StatusCode != 200 || !strings.HasPrefix(ct, "text/event-stream") {
		t.Errorf("%s: %d %q, want 200 text/event-stream", what, res.StatusCode, ct)
	}
}

// fitsSchema checks a JSON value (decoded with UseNumber) against an OpenAPI 3.0 schema, the subset
// the generator writes. An object with properties and no additionalProperties is closed: a field
// the schema does not list is an error (the description is missing it).
func fitsSchema(doc map[string]any, schema any, v any, at string) error {
	s, ok := schema.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: schema %v is not an object", at, schema)
	}
	if ref, ok := s["$ref"].(string); ok {
		target, err := resolveRef(doc, ref)
		if err != nil {
			return fmt.Errorf("%s: %v", at, err)
		}
		return fitsSchema(doc, target, v, at)
	}
	if v == nil {
		if s["nullable"] == true || len(s) == 0 || (s["type"] == nil && s["allOf"] == nil) {
			return nil
		}
		return fmt.Errorf("%s: null, and the schema is not nullable", at)
	}
	if all, ok := s["allOf"].([]any); ok {
		for _, sub := range all {
			if err := fitsSchema(doc, sub, v, at); err != nil {
				return err
			}
		}
	}
	if enum, ok := s["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			found = found || reflect.DeepEqual(e, v)
		}
		if !found {
			return fmt.Errorf("%s: %v is not one of %v", at, v, enum)
		}
	}
	switch s["type"] {
	case nil:
		return nil
	case "object":
		obj, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: %T, want an object", at, v)
		}
		props, _ := s["properties"].(map[string]any)
		for _, r := range asSlice(s["required"]) {
			if _, ok := obj[r.(string)]; !ok {
				return fmt.Errorf("%s: required field %q missing", at, r)
			}
		}
		for _, k := range sortedKeys(obj) {
			if ps, ok := props[k]; ok {
				if err := fitsSchema(doc, ps, obj[k], at+"."+k); err != nil {
					return err
				}
				continue
			}
			switch ap := s["additionalProperties"].(type) {
			case map[string]any:
				if err := fitsSchema(doc, ap, obj[k], at+"."+k); err != nil {
					return err
				}
			case bool:
				if !ap {
					return fmt.Errorf("%s: field %q not allowed", at, k)
				}
			case nil:
				if props != nil {
					return fmt.Errorf("%s: field %q is not in the schema", at, k)
				}
			}
		}
	case "array":
		arr, ok := v.([]any)
		if !ok {
			return fmt.Errorf("%s: %T, want an array", at, v)
		}
		for i, e := range arr {
			if err := fitsSchema(doc, s["items"], e, fmt.Sprintf("%s[%d]", at, i)); err != nil {
				return err
			}
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			return fmt.Errorf("%s: %T %v, want a string", at, v, v)
		}
		if p, ok := s["pattern"].(string); ok && !regexp.MustCompile(p).MatchString(str) {
			return fmt.Errorf("%s: %q does not match %s", at, str, p)
		}
		switch s["format"] {
		case "date-time":
			if _, err := time.Parse(time.RFC3339Nano, str); err != nil {
				return fmt.Errorf("%s: %q is not a date-time", at, str)
			}
		case "byte":
			if _, err := base64.StdEncoding.DecodeString(str); err != nil {
				return fmt.Errorf("%s: %q is not base64", at, str)
			}
		}
	case "integer":
		n, ok := v.(json.Number)
		if !ok {
			return fmt.Errorf("%s: %T %v, want an integer", at, v, v)
		}
		if _, err := n.Int64(); err != nil && !regexp.MustCompile(`^[0-9]+$`).MatchString(n.String()) {
			return fmt.Errorf("%s: %v is not an integer", at, n)
		}
		if min, ok := s["minimum"].(json.Number); ok && strings.HasPrefix(n.String(), "-") && min.String() == "0" {
			return fmt.Errorf("%s: %v below the minimum", at, n)
		}
	case "number":
		if _, ok := v.(json.Number); !ok {
			return fmt.Errorf("%s: %T, want a number", at, v)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("%s: %T, want a boolean", at, v)
		}
	default:
		return fmt.Errorf("%s: unknown schema type %v", at, s["type"])
	}
	return nil
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

func resolveRef(doc map[string]any, ref string) (map[string]any, error) {
	name, ok := strings.CutPrefix(ref, "#/components/schemas/")
	if !ok {
		return nil, fmt.Errorf("$ref %q is not a component schema", ref)
	}
	comps, _ := doc["components"].(map[string]any)
	schemas, _ := comps["schemas"].(map[string]any)
	s, ok := schemas[name].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("$ref %q does not resolve", ref)
	}
	return s, nil
}

// walkJSON calls f on every object of a decoded JSON value, with its JSON pointer-ish location.
func walkJSON(v any, at string, f func(obj map[string]any, at string)) {
	switch x := v.(type) {
	case map[string]any:
		f(x, at)
		for _, k := range sortedKeys(x) {
			walkJSON(x[k], at+"/"+k, f)
		}
	case []any:
		for i, e := range x {
			walkJSON(e, fmt.Sprintf("%s/%d", at, i), f)
		}
	}
}

// TestOpenAPIShape checks the document is a well-formed OpenAPI 3.0.3 description.
func TestOpenAPIShape(t *testing.T) {
	tn := testNode(t)
	_, base := serve(t, tn, api.Config{})
	doc, _ := fetchSpec(t, base)

	// JSON round trip.
	again, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(decodeSpec(t, again), doc) {
		t.Fatal("the document does not survive a JSON round trip")
	}
	if b, err := serverOf(tn).OpenAPI(); err != nil || !reflect.DeepEqual(decodeSpec(t, b), doc) {
		t.Fatalf("Server.OpenAPI differs from GET /v1/openapi.json: %v", err)
	}

	if doc["openapi"] != "3.0.3" {
		t.Fatalf("openapi %v", doc["openapi"])
	}
	info := doc["info"].(map[string]any)
	if info["title"] != "Girder API" || info["version"] != app.Version {
		t.Fatalf("info %v", info)
	}
	if !reflect.DeepEqual(doc["servers"], []any{map[string]any{"url": "/"}}) {
		t.Fatalf("servers %v", doc["servers"])
	}

	// Every $ref resolves and stands alone (OpenAPI 3.0 ignores a $ref's siblings).
	refs := 0
	walkJSON(doc, "#", func(obj map[string]any, at string) {
		ref, ok := obj["$ref"]
		if !ok {
			return
		}
		refs++
		if _, err := resolveRef(doc, fmt.Sprint(ref)); err != nil {
			t.Errorf("%s: %v", at, err)
		}
		if len(obj) != 1 {
			t.Errorf("%s: $ref with siblings %v", at, sortedKeys(obj))
		}
	})
	if refs == 0 {
		t.Fatal("no $ref at all")
	}
	// Every schema is well formed: known types, required fields that exist.
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	walkJSON(schemas, "#/components/schemas", func(obj map[string]any, at string) {
		if strings.HasSuffix(at, "/properties") || strings.HasSuffix(at, "/example") {
			return
		}
		switch obj["type"] {
		case nil, "object", "array", "string", "integer", "number", "boolean":
		default:
			t.Errorf("%s: type %v", at, obj["type"])
		}
		if obj["type"] == "array" && obj["items"] == nil {
			t.Errorf("%s: array without items", at)
		}
		props, _ := obj["properties"].(map[string]any)
		for _, r := range asSlice(obj["required"]) {
			if _, ok := props[r.(string)]; !ok {
				t.Errorf("%s: required %v is not a property", at, r)
			}
		}
	})
	for _, name := range sortedKeys(schemas) {
		if !regexp.MustCompile(`^[A-Za-z0-9._-]+$`).MatchString(name) {
			t.Errorf("component name %q", name)
		}
	}

	// Operations: unique ids, tags, summaries, parameters that match the path template, a 200
	// and a problem answer.
	ids := map[string]string{}
	for _, k := range sortedKeys(operations(t, doc)) {
		op := operations(t, doc)[k]
		_, path, _ := strings.Cut(k, " ")
		id, _ := op["operationId"].(string)
		if id == "" || ids[id] != "" {
			t.Errorf("%s: operationId %q (also %s)", k, id, ids[id])
		}
		ids[id] = k
		if len(asSlice(op["tags"])) == 0 || op["summary"] == "" {
			t.Errorf("%s: no tag or summary", k)
		}
		inTemplate := map[string]bool{}
		for _, m := range templateParamRE.FindAllStringSubmatch(path, -1) {
			inTemplate[m[1]] = true
		}
		declared := map[string]bool{}
		for _, p := range asSlice(op["parameters"]) {
			pm := p.(map[string]any)
			name, in := pm["name"].(string), pm["in"].(string)
			if declared[in+" "+name] {
				t.Errorf("%s: parameter %s in %s twice", k, name, in)
			}
			declared[in+" "+name] = true
			sch, _ := pm["schema"].(map[string]any)
			if sch == nil || sch["type"] == nil {
				t.Errorf("%s: parameter %s has no schema type", k, name)
			}
			switch in {
			case "path":
				if pm["required"] != true || !inTemplate[name] {
					t.Errorf("%s: path parameter %s (required %v) is not in the template", k, name, pm["required"])
				}
			case "query", "header":
			default:
				t.Errorf("%s: parameter %s in %q", k, name, in)
			}
		}
		for name := range inTemplate {
			if !declared["path "+name] {
				t.Errorf("%s: path parameter {%s} is not declared", k, name)
			}
		}
		res, _ := op["responses"].(map[string]any)
		ok200, _ := res["200"].(map[string]any)
		if ok200 == nil || ok200["description"] == "" || len(ok200["content"].(map[string]any)) == 0 {
			t.Errorf("%s: no 200 answer with content", k)
		}
		def, _ := res["default"].(map[string]any)
		prob, _ := def["content"].(map[string]any)["application/problem+json"].(map[string]any)
		if prob == nil || !reflect.DeepEqual(prob["schema"], map[string]any{"$ref": "#/components/schemas/api.Problem"}) {
			t.Errorf("%s: default answer %v, want a problem", k, def)
		}
		if strings.HasPrefix(k, "POST ") {
			rb, _ := op["requestBody"].(map[string]any)
			if rb == nil || rb["required"] != true || rb["content"].(map[string]any)["application/json"] == nil {
				t.Errorf("%s: request body %v", k, rb)
			}
		}
	}

	// Go types become the schemas of their JSON encoding.
	prop := func(comp, field string) map[string]any {
		t.Helper()
		c, ok := schemas[comp].(map[string]any)
		if !ok {
			t.Fatalf("no component %s", comp)
		}
		p, ok := c["properties"].(map[string]any)[field].(map[string]any)
		if !ok {
			t.Fatalf("component %s has no property %s", comp, field)
		}
		return p
	}
	refTo := func(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }
	checks := []struct {
		what string
		ok   bool
	}{
		{"time.Time is a date-time", prop("api.Block", "time")["format"] == "date-time" && prop("api.Block", "time")["type"] == "string"},
		{"[]byte is base64", prop("auth.Account", "pubkey")["format"] == "byte"},
		{"an address is a $ref to a string", reflect.DeepEqual(prop("auth.Account", "address"), refTo("address.Address")) && schemas["address.Address"].(map[string]any)["type"] == "string"},
		{"an amount is a string", prop("coin.Coin", "amount")["type"] == "string" && prop("api.Tx", "fee")["type"] == "string" && prop("tx.Fee", "max_fee")["type"] == "string"},
		{"a uint64 without ,string is an integer", prop("auth.Account", "nonce")["type"] == "integer"},
		{"a msg is an object by type", prop("api.Msg", "value")["type"] == "object" && strings.Contains(fmt.Sprint(prop("api.Msg", "value")["description"]), "by type") && strings.Contains(fmt.Sprint(prop("api.Msg", "value")["description"]), "bank/send")},
		{"a slice of structs is an array of $ref", reflect.DeepEqual(prop("api.BlockList", "blocks")["items"], refTo("api.Block"))},
		{"the simulated fee is a fees.Charge", reflect.DeepEqual(asSlice(prop("app.SimulateResult", "fee")["allOf"]), []any{refTo("fees.Charge")})},
		{"json:\"-\" hides a field", func() bool {
			_, ok := schemas["chain.Attr"].(map[string]any)["properties"].(map[string]any)["Index"]
			return !ok
		}()},
		{"omitempty is optional", !hasValue(asSlice(schemas["api.Tx"].(map[string]any)["required"]), "memo") && hasValue(asSlice(schemas["api.Tx"].(map[string]any)["required"]), "hash")},
		{"broadcast modes are listed", reflect.DeepEqual(asSlice(prop("api.BroadcastRequest", "mode")["enum"]), []any{"sync", "commit"})},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("schema check failed: %s", c.what)
		}
	}
	// The address pattern accepts real addresses.
	pat := regexp.MustCompile(schemas["address.Address"].(map[string]any)["pattern"].(string))
	for _, s := range []nodetest.Key{tn.alice, tn.bob, tn.dave} {
		if !pat.MatchString(s.Address().String()) {
			t.Errorf("address %s does not match the pattern %s", s.Address(), pat)
		}
	}
}

// serverOf is a server over the test node's modules (for its Go methods).
func serverOf(tn *testNet) *api.Server {
	return api.New(api.Config{}, nil, app.NewRegistry(), tn.n.App.Modules())
}

func hasValue(s []any, v any) bool {
	for _, e := range s {
		if e == v {
			return true
		}
	}
	return false
}

func TestDocsPage(t *testing.T) {
	tn := testNode(t)
	srv, base := serve(t, tn, api.Config{})
	doc, _ := fetchSpec(t, base)
	a := call(t, "GET", base+"/v1/docs", "")
	if a.status != 200 || a.header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET /v1/docs: %d %q", a.status, a.header.Get("Content-Type"))
	}
	page := string(a.body)
	mentions := func(s string) bool {
		return strings.Contains(page, s) || strings.Contains(page, template.HTMLEscapeString(s))
	}
	for _, k := range sortedKeys(operations(t, doc)) {
		_, path, _ := strings.Cut(k, " ")
		if !mentions(path) {
			t.Errorf("the docs page does not mention %s", path)
		}
	}
	for _, r := range srv.Routes() {
		if !mentions(r.Summary) {
			t.Errorf("the docs page does not show the summary of %s %s", r.Method, r.Path)
		}
		for _, p := range r.Params {
			if !mentions(p.Description) {
				t.Errorf("the docs page does not describe parameter %s of %s", p.Name, r.Path)
			}
		}
	}
	for _, name := range sortedKeys(doc["components"].(map[string]any)["schemas"].(map[string]any)) {
		if !strings.Contains(page, `id="schema-`+name+`"`) {
			t.Errorf("the docs page does not define schema %s", name)
		}
	}
	for _, want := range []string{"<title>Girder API", "application/problem+json", "module", "code", "cursor", "limit", "next", "1 to 100", "Read-only mode", "/v1/openapi.json", "not read-only", "latest_block_height", "amount"} {
		if !strings.Contains(page, want) {
			t.Errorf("the docs page does not say %q", want)
		}
	}
	// Works offline: nothing loaded from elsewhere.
	for _, bad := range []string{"<script", "src=", `href="http`, "@import", "url("} {
		if strings.Contains(page, bad) {
			t.Errorf("the docs page contains %q", bad)
		}
	}
	// Every in-page link has its target.
	for _, m := range regexp.MustCompile(`href="#([^"]+)"`).FindAllStringSubmatch(page, -1) {
		if !strings.Contains(page, `id="`+m[1]+`"`) {
			t.Errorf("link #%s has no target", m[1])
		}
	}
	_, ro := serve(t, tn, api.Config{ReadOnly: true, CORSOrigins: []string{"https://dash.example"}})
	a = call(t, "GET", ro+"/v1/docs", "")
	if !strings.Contains(string(a.body), "is read-only.</strong>") || !strings.Contains(string(a.body), "https://dash.example") {
		t.Error("the docs page of a read-only node does not say it is read-only, or omits its CORS origins")
	}
}

// A module whose query answers exercise the schema generator: recursion, embedding, json tags,
// maps, arrays, pointers, interfaces.
type reflModule struct{}

type ReflTree struct {
	Name     string              `json:"name"`
	Children []ReflTree          `json:"children"`
	Parent   *ReflTree           `json:"parent"`
	Peer     *ReflForest         `json:"peer,omitempty"`
	Meta     map[string]ReflMeta `json:"meta"`
	Counts   map[string]int64    `json:"counts,omitempty"`
	ReflStamp
	*ReflHidden
	Digest   [4]byte         `json:"digest"`
	Blob     []byte          `json:"blob"`
	Big      uint64          `json:"big,string"`
	Signed   int64           `json:"signed,string"`
	Flag     bool            `json:"flag,string"`
	Money    coin.Amount     `json:"money,string"`
	RawMoney coin.Amount     `json:"raw_money"`
	Any      any             `json:"any"`
	Raw      json.RawMessage `json:"raw"`
	Skip     string          `json:"-"`
	Dash     string          `json:"-,"`
	Untagged string
	private  string
	Event    chain.Event `json:"event"`
}

type ReflForest struct {
	Trees []*ReflTree `json:"trees"`
}

type ReflMeta struct {
	Note string `json:"note,omitempty"`
}

type ReflStamp struct {
	At   time.Time `json:"at"`
	Name string    `json:"stamp_name"` // shadowed? no: another JSON name
}

type ReflHidden struct {
	Secret string `json:"secret,omitempty"`
	Name   string `json:"name"` // shadowed by Tree.Name
}

func (reflModule) Name() string                                         { return "refl" }
func (reflModule) Routes() []chain.Route                                { return nil }
func (reflModule) InitGenesis(chain.Context, json.RawMessage) error     { return nil }
func (reflModule) ExportGenesis(chain.Context) (json.RawMessage, error) { return nil, nil }
func (reflModule) Query(chain.Context, []string, []byte) (any, error)   { return nil, nil }
func (reflModule) Invariants() []chain.Invariant                        { return nil }
func (reflModule) QueryRoutes() []chain.QueryRoute {
	return []chain.QueryRoute{{Path: "/trees/{tree_id}/nodes/{node}", Query: "/refl/tree/{tree_id}/{node}", Summary: "A tree", Response: ReflTree{}}}
}

func TestOpenAPIReflection(t *testing.T) {
	s := api.New(api.Config{}, nil, nil, []chain.Module{reflModule{}})
	b, err := s.OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	doc := decodeSpec(t, b)
	op := operations(t, doc)["GET /v1/trees/{tree_id}/nodes/{node}"]
	if op == nil {
		t.Fatalf("no operation for the module's route")
	}
	if op["operationId"] != "getTreesByTreeIdNodesByNode" || !reflect.DeepEqual(op["tags"], []any{"refl"}) {
		t.Fatalf("operation %v %v", op["operationId"], op["tags"])
	}
	var params []string
	for _, p := range asSlice(op["parameters"]) {
		pm := p.(map[string]any)
		params = append(params, fmt.Sprintf("%s:%s:%v:%v", pm["name"], pm["in"], pm["required"], pm["schema"].(map[string]any)["type"]))
	}
	if strings.Join(params, " ") != "tree_id:path:true:string node:path:true:string height:query:false:integer pending:query:false:boolean" {
		t.Fatalf("parameters %v", params)
	}
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	tree, ok := schemas["api_test.ReflTree"].(map[string]any)
	if !ok {
		t.Fatalf("no component api_test.ReflTree: %v", sortedKeys(schemas))
	}
	got, _ := json.MarshalIndent(tree, "", "  ")
	want := `{
  "properties": {
    "-": {
      "type": "string"
    },
    "Untagged": {
      "type": "string"
    },
    "any": {
      "description": "any JSON value"
    },
    "at": {
      "format": "date-time",
      "type": "string"
    },
    "big": {
      "description": "a decimal integer, as a string (64 bits do not fit a JSON number exactly)",
      "format": "uint64",
      "pattern": "^[0-9]+$",
      "type": "string"
    },
    "blob": {
      "description": "base64",
      "format": "byte",
      "nullable": true,
      "type": "string"
    },
    "children": {
      "items": {
        "$ref": "#/components/schemas/api_test.ReflTree"
      },
      "nullable": true,
      "type": "array"
    },
    "counts": {
      "additionalProperties": {
        "format": "int64",
        "type": "integer"
      },
      "type": "object"
    },
    "digest": {
      "items": {
        "format": "int32",
        "minimum": 0,
        "type": "integer"
      },
      "maxItems": 4,
      "minItems": 4,
      "type": "array"
    },
    "event": {
      "$ref": "#/components/schemas/chain.Event"
    },
    "flag": {
      "description": "true or false, as a string",
      "pattern": "^(true|false)$",
      "type": "string"
    },
    "meta": {
      "additionalProperties": {
        "$ref": "#/components/schemas/api_test.ReflMeta"
      },
      "nullable": true,
      "type": "object"
    },
    "money": {
      "description": "an amount in base units (coin.Amount), as a decimal string",
      "format": "uint64",
      "pattern": "^[0-9]+$",
      "type": "string"
    },
    "name": {
      "type": "string"
    },
    "parent": {
      "allOf": [
        {
          "$ref": "#/components/schemas/api_test.ReflTree"
        }
      ],
      "nullable": true
    },
    "peer": {
      "$ref": "#/components/schemas/api_test.ReflForest"
    },
    "raw": {
      "description": "any JSON value"
    },
    "raw_money": {
      "description": "an amount in base units (coin.Amount)",
      "format": "int64",
      "minimum": 0,
      "type": "integer"
    },
    "secret": {
      "type": "string"
    },
    "signed": {
      "description": "a decimal integer, as a string",
      "format": "int64",
      "pattern": "^-?[0-9]+$",
      "type": "string"
    },
    "stamp_name": {
      "type": "string"
    }
  },
  "required": [
    "name",
    "children",
    "parent",
    "meta",
    "digest",
    "blob",
    "big",
    "signed",
    "flag",
    "money",
    "raw_money",
    "any",
    "raw",
    "-",
    "Untagged",
    "event",
    "at",
    "stamp_name"
  ],
  "type": "object"
}`
	if string(got) != want {
		t.Fatalf("schema of api_test.ReflTree:\n%s\nwant\n%s", got, want)
	}
	forest, _ := json.Marshal(schemas["api_test.ReflForest"])
	if string(forest) != `{"properties":{"trees":{"items":{"$ref":"#/components/schemas/api_test.ReflTree"},"nullable":true,"type":"array"}},"required":["trees"],"type":"object"}` {
		t.Fatalf("schema of api_test.ReflForest: %s", forest)
	}
	// A value of the type fits its schema (the validator above agrees with encoding/json).
	v := ReflTree{Name: "root", Children: []ReflTree{{Name: "leaf", Meta: map[string]ReflMeta{}}}, Meta: map[string]ReflMeta{"a": {Note: "n"}},
		Big: 1 << 63, Signed: -5, Flag: true, Money: 12, Raw: json.RawMessage(`{"x":[1]}`), Any: []int{1}, ReflHidden: &ReflHidden{Secret: "s"},
		Peer: &ReflForest{Trees: []*ReflTree{{Name: "p"}}}, Event: chain.NewEvent("refl.made", "k", "v")}
	raw, _ := json.Marshal(v)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var val any
	if err := dec.Decode(&val); err != nil {
		t.Fatal(err)
	}
	if err := fitsSchema(doc, map[string]any{"$ref": "#/components/schemas/api_test.ReflTree"}, val, "tree"); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
}

// probeCompliance makes alice a compliance officer, gives the chain a rule set (a deny list that
// lists nobody) and makes one alert and one hold with ugrd rules that it then removes, so that the
// compliance routes have real values. It returns an id that is both a hold and an alert.
func probeCompliance(t *testing.T, tn *testNet) string {
	t.Helper()
	alice := tn.alice.Address()
	send := func(m tx.Msg) *client.Result {
		r, err := tn.c.Send(testCtx(t), tn.alice, []tx.Msg{m}, client.BuildOptions{})
		if err == nil {
			err = r.Err()
		}
		var ce *codes.Error
		if errors.As(err, &ce) && ce.Module == "auth" && strings.Contains(ce.Msg, "already") {
			return r // an earlier run made alice an officer
		}
		if err != nil {
			t.Fatalf("%s: %v", m.MsgType(), err)
		}
		return r
	}
	send(&auth.MsgGrantRole{Authority: alice, Role: auth.RoleComplianceOfficer, Account: alice})
	send(&compliance.MsgSetRules{Officer: alice, Rules: []compliance.Rule{{ID: "sanctions", Kind: compliance.KindDenyList, Outcome: compliance.OutcomeReject, Params: compliance.Params{Side: compliance.SideBoth}}}})
	send(&compliance.MsgSetRules{Officer: alice, Asset: "ugrd", Rules: []compliance.Rule{
		{ID: "very-large", Kind: compliance.KindLargeTransfer, Outcome: compliance.OutcomeHold, Params: compliance.Params{Amount: 5_000}},
		{ID: "large", Kind: compliance.KindLargeTransfer, Outcome: compliance.OutcomeFlag, Params: compliance.Params{Amount: 2_000}},
	}})
	bob := tn.bob.Address()
	send(&bank.MsgSend{From: alice, To: bob, Amount: coin.New("ugrd", 3_000)})
	send(&bank.MsgSend{From: alice, To: bob, Amount: coin.New("ugrd", 6_000)})
	send(&compliance.MsgSetRules{Officer: alice, Asset: "ugrd"})
	var alerts compliance.AlertList
	if err := tn.c.Query(testCtx(t), "/compliance/alerts", []byte("status=open&limit=1"), 0, &alerts); err != nil || len(alerts.Alerts) == 0 {
		t.Fatalf("no open alert after a flagged transfer: %v %+v", err, alerts)
	}
	var holds compliance.HoldList
	if err := tn.c.Query(testCtx(t), "/compliance/holds", []byte("status=open&limit=1"), 0, &holds); err != nil || len(holds.Holds) == 0 {
		t.Fatalf("no open hold after a held transfer: %v %+v", err, holds)
	}
	if a, h := alerts.Alerts[0].ID, holds.Holds[0].ID; a != h {
		return strconv.FormatUint(min(a, h), 10) // both lists start at 1 and have no gaps
	}
	return strconv.FormatUint(alerts.Alerts[0].ID, 10)
}

// probeAsset makes alice an asset issuer and creates a security with a document, so the asset
// routes have a real denom (the balance routes answer for it too: alice holds none).
func probeAsset(t *testing.T, tn *testNet) string {
	t.Helper()
	denom := fmt.Sprintf("probe%d", time.Now().UnixNano()%1_000_000_000)
	alice := tn.alice.Address()
	msgs := []tx.Msg{
		&auth.MsgGrantRole{Authority: alice, Role: auth.RoleAssetIssuer, Account: alice},
		&assets.MsgCreate{Issuer: alice, Denom: denom, Kind: assets.KindSecurity, Name: "Probe bond", Symbol: "PRB", Decimals: 0, MaxSupply: 1_000},
		&assets.MsgSetDocument{Issuer: alice, Denom: denom, Name: "prospectus", URI: "https://example.org/p.pdf", Hash: assets.Hash{1}},
	}
	for i, m := range msgs {
		r, err := tn.c.Send(testCtx(t), tn.alice, []tx.Msg{m}, client.BuildOptions{})
		var ce *codes.Error
		if i == 0 && errors.As(err, &ce) && ce.Module == "auth" && strings.Contains(ce.Msg, "already") {
			continue // an earlier run made alice an asset issuer
		}
		if err == nil {
			err = r.Err()
		}
		if err != nil {
			t.Fatalf("%s: %v", m.MsgType(), err)
		}
	}
	return denom
}

// probeSecurities gives the security denom an offering, a checkpoint and a distribution (alice
// becomes a cash issuer and pays in a cash asset of her own), so those routes have real ids.
func probeSecurities(t *testing.T, tn *testNet, denom string) (offering, checkpoint, distribution string) {
	t.Helper()
	alice := tn.alice.Address()
	cash := denom + "c"
	now := time.Now().Unix()
	send := func(m tx.Msg) {
		t.Helper()
		r, err := tn.c.Send(testCtx(t), tn.alice, []tx.Msg{m}, client.BuildOptions{})
		var ce *codes.Error
		if errors.As(err, &ce) && ce.Module == "auth" && strings.Contains(ce.Msg, "already") {
			return // an earlier run granted the role
		}
		if err == nil {
			err = r.Err()
		}
		if err != nil {
			t.Fatalf("%s: %v", m.MsgType(), err)
		}
	}
	send(&auth.MsgGrantRole{Authority: alice, Role: auth.RoleCashIssuer, Account: alice})
	send(&assets.MsgCreate{Issuer: alice, Denom: cash, Kind: assets.KindCash, Name: "Probe euro", Symbol: "PEUR", Decimals: 2})
	send(&assets.MsgMint{Issuer: alice, Denom: cash, Amount: 1_000_000})
	send(&assets.MsgMint{Issuer: alice, Denom: denom, Amount: 500})
	send(&offerings.MsgOpen{Issuer: alice, Security: denom, Cash: cash, PriceNum: 100, PriceDen: 1, HardCap: 100, Start: now - 60, End: now + 86_400})
	send(&bank.MsgSend{From: alice, To: tn.bob.Address(), Amount: coin.New(cash, 10_000)})
	var offs offerings.OfferingList
	if err := tn.c.Query(testCtx(t), "/offerings/offerings", []byte("security="+denom), 0, &offs); err != nil || len(offs.Offerings) == 0 {
		t.Fatalf("no offering of %s: %v", denom, err)
	}
	r, err := tn.c.Send(testCtx(t), tn.bob, []tx.Msg{&offerings.MsgSubscribe{Investor: tn.bob.Address(), Offering: offs.Offerings[0].ID, Amount: 10}}, client.BuildOptions{})
	if err == nil {
		err = r.Err()
	}
	if err != nil {
		t.Fatalf("bob subscribes: %v", err)
	}
	send(&distributions.MsgCreateCheckpoint{Issuer: alice, Asset: denom})
	var cps distributions.CheckpointList
	if err := tn.c.Query(testCtx(t), "/distributions/checkpoints/"+denom, nil, 0, &cps); err != nil || len(cps.Checkpoints) == 0 {
		t.Fatalf("no checkpoint of %s: %v", denom, err)
	}
	cp := cps.Checkpoints[0].ID
	send(&distributions.MsgDeposit{Depositor: alice, Asset: denom, Checkpoint: cp, Amount: coin.New(cash, 1_000), Expiry: now + 86_400})
	var dists distributions.DistributionList
	if err := tn.c.Query(testCtx(t), "/distributions/distributions/"+denom, nil, 0, &dists); err != nil || len(dists.Distributions) == 0 {
		t.Fatalf("no distribution of %s: %v", denom, err)
	}
	return strconv.FormatUint(offs.Offerings[0].ID, 10), strconv.FormatUint(cp, 10), strconv.FormatUint(dists.Distributions[0].ID, 10)
}

// probeProject makes alice a public agency and creates a project (rule agency+spv, bob its SPV)
// with a report, a milestone paid in the cash asset and a pending stakeholder change, so the
// project routes have real values.
func probeProject(t *testing.T, tn *testNet, cash string) string {
	t.Helper()
	id := fmt.Sprintf("probe-%d", time.Now().UnixNano()%1_000_000_000)
	alice, bob := tn.alice.Address(), tn.bob.Address()
	now := time.Now().Unix()
	msgs := []tx.Msg{
		&auth.MsgGrantRole{Authority: alice, Role: auth.RolePublicAgency, Account: alice},
		&projects.MsgCreate{Creator: alice, ID: id, Name: "Probe bridge", Sector: "bridge", Location: "Harbour", ConcessionStart: now, ConcessionEnd: now + 86_400*365,
			StakeholderRule: "agency+spv", Stakeholders: []projects.StakeholderRole{{Account: bob, Role: projects.RolePrivatePartner}}},
		&projects.MsgPostReport{Author: alice, Project: id, Percent: 10, Summary: "design approved"},
		&projects.MsgPlanMilestone{Planner: alice, Project: id, ID: "m1", Description: "foundations", Due: now + 86_400, Tranche: coin.New(cash, 100),
			Payee: bob, Policy: projects.Policy{Roles: []string{projects.RolePublicAgency}, Min: 1}, Window: 3_600},
		&projects.MsgProposeStakeholderChange{Proposer: alice, Project: id, Action: projects.ActionAdd, Account: tn.alice.Address(), Role: projects.RoleAuditor},
		&projects.MsgSetParameter{Authority: alice, Project: id, Name: "tariff_cap", Value: "3"},
	}
	for i, m := range msgs {
		r, err := tn.c.Send(testCtx(t), tn.alice, []tx.Msg{m}, client.BuildOptions{})
		var ce *codes.Error
		if i == 0 && errors.As(err, &ce) && ce.Module == "auth" && strings.Contains(ce.Msg, "already") {
			continue // an earlier run made alice a public agency
		}
		if err == nil {
			err = r.Err()
		}
		if err != nil {
			t.Fatalf("%s: %v", m.MsgType(), err)
		}
	}
	return id
}

// probeProposal has alice (the genesis admin, hence a consortium member) propose to chain
// governance that bob become a regulator, and vote yes, so the governance routes have a real
// proposal and vote; and alice delegates her votes in the DAO of security to bob.
func probeProposal(t *testing.T, tn *testNet, security string) string {
	t.Helper()
	carried, err := tx.Pack(&auth.MsgGrantRole{Authority: authority.Chain, Role: auth.RoleRegulator, Account: tn.bob.Address()})
	if err != nil {
		t.Fatal(err)
	}
	r, err := tn.c.Send(testCtx(t), tn.alice, []tx.Msg{&governance.MsgSubmit{Proposer: tn.alice.Address(), Title: "bob regulates",
		Summary: "probe", Msgs: []tx.Any{carried}}}, client.BuildOptions{})
	if err == nil {
		err = r.Err()
	}
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	id := eventAttr(t, r, "governance.proposal_submitted", "proposal")
	n, _ := strconv.ParseUint(id, 10, 64)
	r, err = tn.c.Send(testCtx(t), tn.alice, []tx.Msg{&governance.MsgVote{Voter: tn.alice.Address(), Proposal: n, Option: governance.OptionYes},
		&governance.MsgDelegate{Delegator: tn.alice.Address(), Denom: security, Delegate: tn.bob.Address()}}, client.BuildOptions{})
	if err == nil {
		err = r.Err()
	}
	if err != nil {
		t.Fatalf("vote: %v", err)
	}
	return id
}

// probePasses has bob (the probe project's private partner) create a pass class priced in cash
// and alice buy a pass, so the passes routes have a real class and pass.
func probePasses(t *testing.T, tn *testNet, project, cash string) (class, pass string) {
	t.Helper()
	now := time.Now().Unix()
	r, err := tn.c.Send(testCtx(t), tn.bob, []tx.Msg{&passes.MsgCreateClass{Creator: tn.bob.Address(), Project: project, Name: "probe pass",
		Price: coin.New(cash, 100), Uses: 10, Validity: passes.Validity{Kind: passes.ValidityFixed, Start: now - 60, End: now + 86_400*365}, MaxSupply: 100}},
		client.BuildOptions{})
	if err == nil {
		err = r.Err()
	}
	if err != nil {
		t.Fatalf("create class: %v", err)
	}
	class = eventAttr(t, r, "passes.class_created", "class")
	n, _ := strconv.ParseUint(class, 10, 64)
	if r, err = tn.c.Send(testCtx(t), tn.alice, []tx.Msg{&passes.MsgBuy{Buyer: tn.alice.Address(), Class: n, Quantity: 1}}, client.BuildOptions{}); err == nil {
		err = r.Err()
	}
	if err != nil {
		t.Fatalf("buy: %v", err)
	}
	return class, eventAttr(t, r, "passes.bought", "first_pass")
}

// eventAttr is the value of key in the first event of type typ of a tx's result.
func eventAttr(t *testing.T, r *client.Result, typ, key string) string {
	t.Helper()
	for _, e := range r.Events {
		for _, a := range e.Attrs {
			if e.Type == typ && a.Key == key {
				return a.Value
			}
		}
	}
	t.Fatalf("no %s event with %s: %+v", typ, key, r.Events)
	return ""
}

// probeGrant gives bob a vesting grant of ugrd from alice, so the vesting routes have a real id.
func probeGrant(t *testing.T, tn *testNet) string {
	t.Helper()
	now := time.Now().Unix()
	r, err := tn.c.Send(testCtx(t), tn.alice, []tx.Msg{&vesting.MsgGrant{Grantor: tn.alice.Address(), Grantee: tn.bob.Address(), Amount: coin.New("ugrd", 1_000),
		Schedule: vesting.Schedule{Kind: vesting.KindLinear, Start: now, End: now + 86_400}}}, client.BuildOptions{})
	if err == nil {
		err = r.Err()
	}
	if err != nil {
		t.Fatalf("vesting grant: %v", err)
	}
	for _, e := range r.Events {
		for _, a := range e.Attrs {
			if e.Type == "vesting.granted" && a.Key == "grant" {
				return a.Value
			}
		}
	}
	t.Fatal("no vesting.granted event names the grant")
	return ""
}

// probeIdentity registers an identity with a credential (alice, an admin, makes herself a KYC
// provider first), so the identity routes have real values to answer.
func probeIdentity(t *testing.T, tn *testNet) (id, credential string) {
	t.Helper()
	id = fmt.Sprintf("probe-%d", time.Now().UnixNano()%1_000_000_000)
	holder := nodetest.NewKey(id)
	alice := tn.alice.Address()
	msgs := []tx.Msg{
		&auth.MsgGrantRole{Authority: alice, Role: auth.RoleKYCProvider, Account: alice},
		&identity.MsgRegister{Provider: alice, ID: id, Accounts: []address.Address{holder.Address()}},
		&identity.MsgIssue{Issuer: alice, ID: id, Claims: identity.ClaimSet{KYCLevel: 2, Jurisdiction: "DE"},
			Expiry: time.Now().Add(24 * time.Hour).Unix(), EvidenceHash: identity.Hash{1}},
	}
	for i, m := range msgs {
		r, err := tn.c.Send(testCtx(t), tn.alice, []tx.Msg{m}, client.BuildOptions{})
		var ce *codes.Error
		if i == 0 && errors.As(err, &ce) && ce.Module == "auth" && strings.Contains(ce.Msg, "already") {
			continue // an earlier run made alice a KYC provider
		}
		if err == nil {
			err = r.Err()
		}
		if err != nil {
			t.Fatalf("%s: %v", m.MsgType(), err)
		}
		for _, e := range r.Events {
			for _, a := range e.Attrs {
				if e.Type == "identity.credential_issued" && a.Key == "credential" {
					credential = a.Value
				}
			}
		}
	}
	if credential == "" {
		t.Fatal("no identity.credential_issued event names the credential")
	}
	return id, credential
}
