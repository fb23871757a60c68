package api

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/app"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/fees"
)

// The API describes itself: GET /v1/openapi.json is an OpenAPI 3.0.3 document and GET /v1/docs
// a page for people, both generated from the server's routes (s.Routes(), the routes the mux
// serves) and from the Go types of their bodies and answers, by reflection.

// docRoutes serve the API's description. Both documents are built on first use (the routes
// never change afterwards) and kept.
func (s *Server) docRoutes() []Route {
	d := &docState{s: s}
	return []Route{
		{Method: "GET", Path: "/openapi.json", Tag: "docs", Summary: "This API's OpenAPI 3.0.3 description (generated from its routes)",
			Response: map[string]any{}, ContentType: "application/json", Handler: d.serve(func() []byte { return d.json }, "application/json")},
		{Method: "GET", Path: "/docs", Tag: "docs", Summary: "This API's documentation for people (HTML, works offline)",
			ContentType: "text/html; charset=utf-8", Handler: d.serve(func() []byte { return d.html }, "text/html; charset=utf-8")},
	}
}

// OpenAPI is the API's OpenAPI 3.0.3 description, as JSON.
func (s *Server) OpenAPI() ([]byte, error) {
	return json.MarshalIndent(s.buildSpec(), "", "  ")
}

type docState struct {
	s    *Server
	once sync.Once
	json []byte
	html []byte
	err  error
}

func (d *docState) build() {
	spec := d.s.buildSpec()
	d.json, d.err = json.MarshalIndent(spec, "", "  ")
	if d.err == nil {
		d.html, d.err = d.s.renderDocs(spec)
	}
}

func (d *docState) serve(doc func() []byte, contentType string) func(http.ResponseWriter, *http.Request) (any, error) {
	return func(w http.ResponseWriter, _ *http.Request) (any, error) {
		d.once.Do(d.build)
		if d.err != nil {
			return nil, d.err
		}
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(doc())
		return nil, nil
	}
}

// The OpenAPI 3.0.3 document (only the parts Girder uses).
type specDoc struct {
	OpenAPI    string                               `json:"openapi"`
	Info       specInfo                             `json:"info"`
	Servers    []specServer                         `json:"servers"`
	Tags       []specTag                            `json:"tags"`
	Paths      map[string]map[string]*specOperation `json:"paths"`
	Components specComponents                       `json:"components"`
}

type specInfo struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	Version     string `json:"version"`
}

type specServer struct {
	URL string `json:"url"`
}

type specTag struct {
	Name string `json:"name"`
}

type specComponents struct {
	Schemas map[string]*specSchema `json:"schemas"`
}

type specOperation struct {
	OperationID string                   `json:"operationId"`
	Tags        []string                 `json:"tags"`
	Summary     string                   `json:"summary"`
	Parameters  []specParam              `json:"parameters,omitempty"`
	RequestBody *specBody                `json:"requestBody,omitempty"`
	Responses   map[string]*specResponse `json:"responses"`
}

type specParam struct {
	Name        string      `json:"name"`
	In          string      `json:"in"`
	Description string      `json:"description,omitempty"`
	Required    bool        `json:"required"`
	Schema      *specSchema `json:"schema"`
}

type specBody struct {
	Required bool                  `json:"required"`
	Content  map[string]*specMedia `json:"content"`
}

type specResponse struct {
	Description string                `json:"description"`
	Content     map[string]*specMedia `json:"content,omitempty"`
}

type specMedia struct {
	Schema *specSchema `json:"schema"`
	// EventData is the schema of each server-sent event's data (a specification extension).
	EventData *specSchema `json:"x-event-data,omitempty"`
}

// specSchema is an OpenAPI 3.0 schema object. The zero value, {}, accepts any JSON value.
type specSchema struct {
	Ref                  string                 `json:"$ref,omitempty"`
	AllOf                []*specSchema          `json:"allOf,omitempty"`
	Type                 string                 `json:"type,omitempty"`
	Format               string                 `json:"format,omitempty"`
	Description          string                 `json:"description,omitempty"`
	Pattern              string                 `json:"pattern,omitempty"`
	Enum                 []string               `json:"enum,omitempty"`
	Minimum              *int64                 `json:"minimum,omitempty"`
	Maximum              *int64                 `json:"maximum,omitempty"`
	MinItems             *int                   `json:"minItems,omitempty"`
	MaxItems             *int                   `json:"maxItems,omitempty"`
	Nullable             bool                   `json:"nullable,omitempty"`
	Items                *specSchema            `json:"items,omitempty"`
	Properties           map[string]*specSchema `json:"properties,omitempty"`
	Required             []string               `json:"required,omitempty"`
	AdditionalProperties any                    `json:"additionalProperties,omitempty"` // *specSchema or bool
	Example              any                    `json:"example,omitempty"`

	order []string // of Properties, as the Go struct declares them (the HTML page)
}

func (s *Server) buildSpec() *specDoc {
	var msgTypes []string
	if s.reg != nil {
		msgTypes = s.reg.Types()
	}
	g := &schemaGen{comps: map[string]*specSchema{}, names: map[reflect.Type]string{}, msgTypes: msgTypes}
	problem := g.of(reflect.TypeOf(Problem{}))
	doc := &specDoc{
		OpenAPI: "3.0.3",
		Info: specInfo{Title: "Girder API", Version: app.Version,
			Description: "The REST/JSON API of a Girder node. Failures answer application/problem+json (RFC 9457) with the chain's module and code; lists page with limit and cursor. The same description for people: /v1/docs."},
		Servers: []specServer{{URL: "/"}},
		Paths:   map[string]map[string]*specOperation{},
	}
	seenTag := map[string]bool{}
	usedIDs := map[string]bool{}
	for _, r := range s.routes {
		if r.Tag != "" && !seenTag[r.Tag] {
			seenTag[r.Tag] = true
			doc.Tags = append(doc.Tags, specTag{Name: r.Tag})
		}
		p := "/v1" + r.Path
		if doc.Paths[p] == nil {
			doc.Paths[p] = map[string]*specOperation{}
		}
		id := operationID(r.Method, r.Path)
		for n := 2; usedIDs[id]; n++ {
			id = fmt.Sprintf("%s%d", operationID(r.Method, r.Path), n)
		}
		usedIDs[id] = true
		op := &specOperation{OperationID: id, Summary: r.Summary,
			Responses: map[string]*specResponse{
				"200":     s.okResponse(g, r),
				"default": {Description: "a problem (RFC 9457): the status, a title, a detail, and when the chain refused, its module and code", Content: map[string]*specMedia{"application/problem+json": {Schema: problem}}},
			}}
		if r.Tag != "" {
			op.Tags = []string{r.Tag}
		} else {
			op.Tags = []string{}
		}
		op.Parameters = s.specParams(r)
		if r.Body != nil {
			op.RequestBody = &specBody{Required: true, Content: map[string]*specMedia{"application/json": {Schema: g.of(reflect.TypeOf(r.Body))}}}
		}
		doc.Paths[p][strings.ToLower(r.Method)] = op
	}
	doc.Components.Schemas = g.comps
	return doc
}

func (s *Server) okResponse(g *schemaGen, r Route) *specResponse {
	switch {
	case r.Stream:
		ct := r.ContentType
		if ct == "" {
			ct = "text/event-stream"
		}
		m := &specMedia{Schema: &specSchema{Type: "string", Description: "a stream of server-sent events (text/event-stream): `id:`, `event:` and `data:` lines; data is JSON"}}
		if r.Response != nil {
			m.EventData = g.of(reflect.TypeOf(r.Response))
		}
		return &specResponse{Description: "a stream of server-sent events", Content: map[string]*specMedia{mediaType(ct): m}}
	case r.ContentType != "" && mediaType(r.ContentType) != "application/json":
		sch := &specSchema{Type: "string"}
		if r.Response != nil {
			sch = g.of(reflect.TypeOf(r.Response))
		}
		return &specResponse{Description: "the answer, " + mediaType(r.ContentType), Content: map[string]*specMedia{mediaType(r.ContentType): {Schema: sch}}}
	}
	sch := &specSchema{}
	if r.Response != nil {
		sch = g.of(reflect.TypeOf(r.Response))
	}
	return &specResponse{Description: "the answer", Content: map[string]*specMedia{"application/json": {Schema: sch}}}
}

func mediaType(ct string) string {
	mt, _, _ := strings.Cut(ct, ";")
	return strings.TrimSpace(mt)
}

var specParamRE = regexp.MustCompile(`\{([^{}]+)\}`)

// specParams describes a route's parameters: those it declares, and any path parameter of its
// template it forgot (a path parameter is always required).
func (s *Server) specParams(r Route) []specParam {
	var out []specParam
	declared := map[string]bool{}
	for _, p := range r.Params {
		declared[p.In+" "+p.Name] = true
		out = append(out, specParam{Name: p.Name, In: p.In, Description: p.Description, Required: p.Required || p.In == "path", Schema: s.paramSchema(p.Name)})
	}
	for _, m := range specParamRE.FindAllStringSubmatch(r.Path, -1) {
		if !declared["path "+m[1]] {
			out = append(out, specParam{Name: m[1], In: "path", Description: paramDescription(m[1]), Required: true, Schema: s.paramSchema(m[1])})
		}
	}
	return out
}

func (s *Server) paramSchema(name string) *specSchema {
	one := int64(1)
	switch name {
	case "height", "from", "to", "from_height":
		return &specSchema{Type: "integer", Format: "int64", Minimum: &one}
	case "limit":
		max := int64(s.cfg.MaxPageSize)
		return &specSchema{Type: "integer", Minimum: &one, Maximum: &max}
	case "pending":
		return &specSchema{Type: "boolean"}
	case "hash":
		return &specSchema{Type: "string", Pattern: "^(0x)?[0-9A-Fa-f]{64}$"}
	case "address", "account":
		return &specSchema{Type: "string", Pattern: addressPattern, Example: exampleAddress}
	case "denom", "asset":
		return &specSchema{Type: "string", Example: "ugrd"}
	}
	return &specSchema{Type: "string"}
}

var (
	// addressPattern: "gir1" then the bech32 data of 20 bytes (32 characters) and its checksum (6).
	addressPattern = "^" + address.Prefix + "1[02-9ac-hj-np-z]{38}$"
	exampleAddress = address.Module("example").String()
)

// operationID derives a stable id from method and path: GET /accounts/{address}/balances →
// getAccountsByAddressBalances.
func operationID(method, path string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for _, seg := range strings.Split(path, "/") {
		if seg == "" {
			continue
		}
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			b.WriteString("By")
			seg = strings.Trim(seg, "{}")
		}
		for _, w := range strings.FieldsFunc(seg, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
		}) {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	return b.String()
}

// schemaGen makes schemas of Go types as encoding/json encodes them. Named structs become
// components (package-qualified names, "auth.Account") that schemas $ref.
type schemaGen struct {
	comps    map[string]*specSchema
	names    map[reflect.Type]string
	msgTypes []string
}

var (
	timeType          = reflect.TypeOf(time.Time{})
	rawMessageType    = reflect.TypeOf(json.RawMessage{})
	msgType           = reflect.TypeOf((*tx.Msg)(nil)).Elem()
	jsonMarshalerType = reflect.TypeOf((*json.Marshaler)(nil)).Elem()
	textMarshalerType = reflect.TypeOf((*encoding.TextMarshaler)(nil)).Elem()
	addressType       = reflect.TypeOf(address.Address{})
	amountType        = reflect.TypeOf(coin.Amount(0))
)

// typeDescriptions say what some named types mean.
var typeDescriptions = map[reflect.Type]string{
	amountType:  "an amount in base units (coin.Amount)",
	addressType: "an account address, bech32 with prefix \"" + address.Prefix + "\" (gir1…)",
}

func implements(t, iface reflect.Type) bool {
	return t.Implements(iface) || (t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(iface))
}

// of is the schema of t's JSON encoding.
func (g *schemaGen) of(t reflect.Type) *specSchema {
	if t == nil {
		return &specSchema{Description: "any JSON value"}
	}
	switch t {
	case timeType:
		return &specSchema{Type: "string", Format: "date-time"}
	case rawMessageType:
		return &specSchema{Description: "any JSON value"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return g.of(t.Elem())
	case reflect.Interface:
		if t == msgType {
			d := "the msg's fields, by type (see the msg's type)"
			if len(g.msgTypes) > 0 {
				d += ": " + strings.Join(g.msgTypes, ", ")
			}
			return &specSchema{Type: "object", Description: d, AdditionalProperties: true}
		}
		if t.NumMethod() == 0 {
			return &specSchema{Description: "any JSON value"}
		}
		return &specSchema{Description: "a " + t.String() + ", by type"}
	}
	if implements(t, jsonMarshalerType) {
		return &specSchema{Description: "JSON of " + t.String() + " (its own encoding)"}
	}
	if implements(t, textMarshalerType) {
		return g.component(t, func() *specSchema {
			sc := &specSchema{Type: "string", Description: typeDescriptions[t]}
			if t == addressType {
				sc.Pattern, sc.Example = addressPattern, exampleAddress
			}
			return sc
		})
	}
	var sc *specSchema
	switch t.Kind() {
	case reflect.Bool:
		sc = &specSchema{Type: "boolean"}
	case reflect.Int8, reflect.Int16, reflect.Int32:
		sc = &specSchema{Type: "integer", Format: "int32"}
	case reflect.Int, reflect.Int64:
		sc = &specSchema{Type: "integer", Format: "int64"}
	case reflect.Uint8, reflect.Uint16:
		zero := int64(0)
		sc = &specSchema{Type: "integer", Format: "int32", Minimum: &zero}
	case reflect.Uint, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		zero := int64(0)
		sc = &specSchema{Type: "integer", Format: "int64", Minimum: &zero}
	case reflect.Float32:
		sc = &specSchema{Type: "number", Format: "float"}
	case reflect.Float64:
		sc = &specSchema{Type: "number", Format: "double"}
	case reflect.String:
		sc = &specSchema{Type: "string"}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 && !implements(t.Elem(), jsonMarshalerType) && !implements(t.Elem(), textMarshalerType) {
			sc = &specSchema{Type: "string", Format: "byte", Description: "base64"}
		} else {
			sc = &specSchema{Type: "array", Items: g.of(t.Elem())}
		}
	case reflect.Array:
		n := t.Len()
		sc = &specSchema{Type: "array", Items: g.of(t.Elem()), MinItems: &n, MaxItems: &n}
	case reflect.Map:
		sc = &specSchema{Type: "object", AdditionalProperties: g.of(t.Elem())}
	case reflect.Struct:
		if t.Name() == "" {
			return g.structSchema(t)
		}
		return g.component(t, func() *specSchema { return g.structSchema(t) })
	default: // chan, func, complex: encoding/json refuses them
		sc = &specSchema{Description: "not JSON-encodable: " + t.String()}
	}
	if d := typeDescriptions[t]; d != "" {
		sc.Description = d
	}
	return sc
}

var componentNameRE = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// component registers t's schema under a package-qualified name and answers a $ref to it. The
// name is taken before the schema is built, so a type that contains itself refers to itself.
func (g *schemaGen) component(t reflect.Type, build func() *specSchema) *specSchema {
	name, ok := g.names[t]
	if !ok {
		pkg := t.PkgPath()
		name = componentNameRE.ReplaceAllString(pkg[strings.LastIndex(pkg, "/")+1:]+"."+t.Name(), "_")
		if _, taken := g.comps[name]; taken || pkg == "" {
			name = componentNameRE.ReplaceAllString(strings.ReplaceAll(pkg, "/", ".")+"."+t.Name(), "_")
		}
		g.names[t] = name
		placeholder := &specSchema{}
		g.comps[name] = placeholder
		*placeholder = *build()
	}
	return &specSchema{Ref: "#/components/schemas/" + name}
}

// structSchema lists a struct's JSON fields: json tags name them, "-" hides them, omitempty and
// omitzero make them optional, ",string" makes numbers and booleans strings; embedded structs
// without a name contribute their fields (the outer ones win).
func (g *schemaGen) structSchema(t reflect.Type) *specSchema {
	sc := &specSchema{Type: "object", Properties: map[string]*specSchema{}}
	g.addFields(sc, t, map[reflect.Type]bool{})
	if len(sc.Properties) == 0 {
		sc.Properties = nil
	}
	return sc
}

func (g *schemaGen) addFields(sc *specSchema, t reflect.Type, visiting map[reflect.Type]bool) {
	if visiting[t] {
		return
	}
	visiting[t] = true
	defer delete(visiting, t)
	var embedded []reflect.Type
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		ft := f.Type
		if f.Anonymous && name == "" {
			et := ft
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				embedded = append(embedded, et)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if _, dup := sc.Properties[name]; dup {
			continue
		}
		optional, asString := false, false
		for _, o := range strings.Split(opts, ",") {
			switch o {
			case "omitempty", "omitzero":
				optional = true
			case "string":
				asString = true
			}
		}
		fs := g.field(ft, asString)
		if fd, ok := fieldDocs[t][name]; ok {
			if fd.proto != nil {
				fs = g.of(reflect.TypeOf(fd.proto))
			}
			fs = describedAs(fs, fd)
		}
		switch ft.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
			if !optional { // encoding/json writes nil as null
				fs = nullable(fs)
			}
		}
		sc.Properties[name] = fs
		sc.order = append(sc.order, name)
		if !optional {
			sc.Required = append(sc.Required, name)
		}
	}
	for _, et := range embedded {
		g.addFields(sc, et, visiting)
	}
}

// fieldDoc says what reflection cannot tell about a field: what it means, its values, or the
// type of the JSON a json.RawMessage holds.
type fieldDoc struct {
	desc  string
	enum  []string
	proto any
}

var fieldDocs = map[reflect.Type]map[string]fieldDoc{
	reflect.TypeOf(BroadcastRequest{}): {
		"tx":   {desc: "the signed tx: base64 of its CBOR bytes"},
		"mode": {desc: "sync (default): answer once the mempool admitted the tx; commit: once a block committed it", enum: []string{"sync", "commit"}},
	},
	reflect.TypeOf(SimulateRequest{}): {"tx": {desc: "the tx, signed or not: base64 of its CBOR bytes"}},
	reflect.TypeOf(BroadcastResult{}): {"height": {desc: "with mode commit"}, "tx": {desc: "with mode commit: the committed tx"}},
	reflect.TypeOf(BlockList{}):       {"next": {desc: "cursor of the next (older) page; absent on the last page"}},
	reflect.TypeOf(TxList{}): {
		"next":  {desc: "cursor of the next page; absent on the last page"},
		"total": {desc: "how many txs match, over all pages"},
	},
	reflect.TypeOf(Tx{}): {
		"hash":       {desc: "64 hex digits"},
		"code":       {desc: "0: the msgs executed; otherwise the failure's code in its codespace (module)"},
		"fee":        {desc: "the fee charged"},
		"fee_limits": {desc: "what the signer allowed"},
	},
	reflect.TypeOf(Msg{}): {"type": {desc: "the msg type, <module>/<action>"}},
	reflect.TypeOf(app.SimulateResult{}): {
		"code":    {desc: "0: the tx would succeed; otherwise the failure's code in its codespace (module)"},
		"fee":     {desc: "what the fee would be (absent when the tx would be refused before paying)", proto: fees.Charge{}},
		"changes": {desc: "every state key the tx would write, in order"},
	},
	reflect.TypeOf(app.StateChange{}): {
		"key":      {desc: "the whole state key, hex"},
		"module":   {desc: "the module owning the key (its first byte): auth, bank, fees, …; app for the app's own records"},
		"record":   {desc: "the kind of record the key holds in its module's state layout (balance, account, proposal, …)"},
		"key_text": {desc: "the key after its module byte, printable bytes as text and others as \\xNN (e.g. b/\\x1f…ugrd: a bank balance)"},
		"value":    {desc: "the new value, hex (CBOR); absent when deleted"},
		"decoded":  {desc: "the value as JSON: the record decoded into its type (the field names of the module's JSON), or, for a key no layout knows, its CBOR generically (map keys as text, byte strings as 0x-hex); every number as a decimal string (exact); absent when deleted or not CBOR"},
	},
	reflect.TypeOf(TxChanges{}): {
		"state_at":          {desc: "the height whose committed state the replay started from (the block before the tx's)"},
		"replayed":          {desc: "how many txs were re-run: those before it in its block, and it"},
		"matches_committed": {desc: "the re-run's code, codespace, gas and events (every attribute, in order) are the committed ones"},
		"simulation":        {desc: "the re-run's outcome: code, gas, fee and events equal the committed ones; changes are every key the tx wrote, in key order"},
	},
	reflect.TypeOf(Problem{}): {
		"type":     {desc: "urn:girder:error:<module>:<code> when the chain refused; about:blank otherwise"},
		"instance": {desc: "the request's path"},
		"module":   {desc: "the module whose error this is (the chain's codespace)"},
		"code":     {desc: "the error's code in its module; stable"},
	},
}

// describedAs adds a field's doc to its schema (a $ref cannot have siblings in OpenAPI 3.0).
func describedAs(s *specSchema, fd fieldDoc) *specSchema {
	if s.Ref != "" {
		s = &specSchema{AllOf: []*specSchema{s}}
	}
	if fd.desc != "" {
		if s.Description != "" {
			s.Description = fd.desc + " (" + s.Description + ")"
		} else {
			s.Description = fd.desc
		}
	}
	if fd.enum != nil {
		s.Enum = fd.enum
	}
	return s
}

func nullable(s *specSchema) *specSchema {
	if s.Ref == "" && s.Type == "" && s.AllOf == nil {
		return s // any JSON value already includes null
	}
	if s.Ref != "" {
		s = &specSchema{AllOf: []*specSchema{s}}
	}
	s.Nullable = true
	return s
}

// field is the schema of a struct field of type t; asString is its ",string" option, which
// encoding/json applies to numbers, booleans and strings (also behind one pointer).
func (g *schemaGen) field(t reflect.Type, asString bool) *specSchema {
	bt := t
	if bt.Kind() == reflect.Pointer {
		bt = bt.Elem()
	}
	if !asString || implements(bt, jsonMarshalerType) || implements(bt, textMarshalerType) {
		return g.of(t)
	}
	var sc *specSchema
	switch bt.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		sc = &specSchema{Type: "string", Format: "int64", Pattern: "^-?[0-9]+$", Description: "a decimal integer, as a string"}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		sc = &specSchema{Type: "string", Format: "uint64", Pattern: "^[0-9]+$", Description: "a decimal integer, as a string (64 bits do not fit a JSON number exactly)"}
	case reflect.Float32, reflect.Float64:
		sc = &specSchema{Type: "string", Description: "a decimal number, as a string"}
	case reflect.Bool:
		sc = &specSchema{Type: "string", Pattern: "^(true|false)$", Description: "true or false, as a string"}
	case reflect.String:
		sc = &specSchema{Type: "string", Description: "a JSON string, quoted inside the string"}
	default:
		return g.of(t)
	}
	if d := typeDescriptions[bt]; d != "" {
		sc.Description = d + ", as a decimal string"
	}
	return sc
}

// The page for people.

type docsPage struct {
	Title       string
	Version     string
	MaxPageSize int
	MaxBody     int64
	Timeout     string
	ReadOnly    bool
	CORS        []string
	Streams     []docsRoute
	Groups      []docsGroup
	Schemas     []docsSchema
}

type docsGroup struct {
	Tag    string
	Routes []docsRoute
}

type docsRoute struct {
	ID, Method, Path, Summary string
	Params                    []docsParam
	Body                      template.HTML
	ResponseType              string
	Response                  template.HTML
}

type docsParam struct {
	Name, In, Type, Description string
	Required                    bool
}

type docsSchema struct {
	Name string
	Body template.HTML
}

func (s *Server) renderDocs(spec *specDoc) ([]byte, error) {
	page := docsPage{Title: spec.Info.Title, Version: spec.Info.Version, MaxPageSize: s.cfg.MaxPageSize, MaxBody: s.cfg.MaxBodyBytes,
		Timeout: s.cfg.Timeout.String(), ReadOnly: s.cfg.ReadOnly, CORS: s.cfg.CORSOrigins}
	rd := &schemaRenderer{comps: spec.Components.Schemas}
	groups := map[string]int{}
	for _, r := range s.routes {
		op := spec.Paths["/v1"+r.Path][strings.ToLower(r.Method)]
		dr := docsRoute{ID: op.OperationID, Method: r.Method, Path: "/v1" + r.Path, Summary: r.Summary}
		for _, p := range op.Parameters {
			dr.Params = append(dr.Params, docsParam{Name: p.Name, In: p.In, Type: rd.inline(p.Schema), Description: p.Description, Required: p.Required})
		}
		if op.RequestBody != nil {
			dr.Body = rd.top(op.RequestBody.Content["application/json"].Schema)
		}
		for ct, m := range op.Responses["200"].Content {
			dr.ResponseType = ct
			sch := m.Schema
			if m.EventData != nil {
				sch = m.EventData
				dr.ResponseType += "; each event's data"
			}
			dr.Response = rd.top(sch)
		}
		if r.Stream {
			page.Streams = append(page.Streams, dr)
		}
		i, ok := groups[r.Tag]
		if !ok {
			i = len(page.Groups)
			groups[r.Tag] = i
			page.Groups = append(page.Groups, docsGroup{Tag: r.Tag})
		}
		page.Groups[i].Routes = append(page.Groups[i].Routes, dr)
	}
	names := make([]string, 0, len(spec.Components.Schemas))
	for n := range spec.Components.Schemas {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		page.Schemas = append(page.Schemas, docsSchema{Name: n, Body: template.HTML(rd.render(spec.Components.Schemas[n], 0))})
	}
	var buf bytes.Buffer
	if err := docsTemplate.Execute(&buf, page); err != nil {
		return nil, fmt.Errorf("render the docs page: %w", err)
	}
	return buf.Bytes(), nil
}

// schemaRenderer writes schemas as escaped HTML in a compact, TypeScript-like notation, with
// components as links to their definitions.
type schemaRenderer struct {
	comps map[string]*specSchema
}

func refName(ref string) string { return strings.TrimPrefix(ref, "#/components/schemas/") }

// top renders a body or answer: a component is expanded once.
func (rd *schemaRenderer) top(s *specSchema) template.HTML {
	if s == nil {
		return ""
	}
	if s.Ref != "" {
		if c := rd.comps[refName(s.Ref)]; c != nil && c.Type == "object" {
			return template.HTML(rd.link(refName(s.Ref)) + " " + rd.render(c, 0))
		}
	}
	return template.HTML(rd.render(s, 0))
}

// inline renders a short schema as plain text (parameters).
func (rd *schemaRenderer) inline(s *specSchema) string {
	out := s.Type
	if s.Format != "" {
		out += " (" + s.Format + ")"
	}
	if s.Minimum != nil && s.Maximum != nil {
		out += fmt.Sprintf(", %d to %d", *s.Minimum, *s.Maximum)
	} else if s.Minimum != nil {
		out += fmt.Sprintf(", ≥ %d", *s.Minimum)
	}
	if s.Pattern != "" {
		out += ", matching " + s.Pattern
	}
	return out
}

func (rd *schemaRenderer) link(name string) string {
	e := template.HTMLEscapeString(name)
	return `<a href="#schema-` + e + `">` + e + `</a>`
}

func (rd *schemaRenderer) render(s *specSchema, indent int) string {
	esc := template.HTMLEscapeString
	var out string
	switch {
	case s.Ref != "":
		out = rd.link(refName(s.Ref))
	case len(s.AllOf) == 1:
		out = rd.render(s.AllOf[0], indent)
	case s.Type == "array":
		out = "[" + rd.render(s.Items, indent) + "]"
		if s.MinItems != nil && s.MaxItems != nil && *s.MinItems == *s.MaxItems {
			out += fmt.Sprintf(" (%d items)", *s.MinItems)
		}
	case s.Type == "object" && s.Properties != nil:
		pad := strings.Repeat("  ", indent+1)
		var b strings.Builder
		b.WriteString("{\n")
		req := map[string]bool{}
		for _, r := range s.Required {
			req[r] = true
		}
		order := s.order
		if len(order) == 0 {
			for n := range s.Properties {
				order = append(order, n)
			}
			sort.Strings(order)
		}
		for _, n := range order {
			p := s.Properties[n]
			opt := ""
			if !req[n] {
				opt = `<span class="opt">?</span>`
			}
			b.WriteString(pad + `<span class="k">` + esc(n) + "</span>" + opt + ": " + rd.render(p, indent+1))
			if d := describe(p); d != "" {
				b.WriteString(`  <span class="c">// ` + esc(d) + "</span>")
			}
			b.WriteString("\n")
		}
		b.WriteString(strings.Repeat("  ", indent) + "}")
		out = b.String()
	case s.Type == "object":
		switch ap := s.AdditionalProperties.(type) {
		case *specSchema:
			out = "{ [key: string]: " + rd.render(ap, indent) + " }"
		default:
			out = "object"
		}
	case s.Type == "":
		out = "any"
	default:
		out = `<span class="t">` + esc(s.Type) + "</span>"
		if s.Format != "" {
			out += " (" + esc(s.Format) + ")"
		}
	}
	if s.Nullable {
		out += " | null"
	}
	if indent == 0 && s.Ref == "" {
		if d := describe(s); d != "" && s.Type != "object" {
			out += `  <span class="c">// ` + esc(d) + "</span>"
		}
	}
	return out
}

// describe is what a schema's comment says: its description, pattern and example.
func describe(s *specSchema) string {
	var parts []string
	if s.Description != "" {
		parts = append(parts, s.Description)
	}
	if len(s.Enum) > 0 {
		parts = append(parts, "one of "+strings.Join(s.Enum, ", "))
	}
	if s.Pattern != "" {
		parts = append(parts, "matching "+s.Pattern)
	}
	if s.Example != nil {
		parts = append(parts, fmt.Sprintf("e.g. %v", s.Example))
	}
	return strings.Join(parts, "; ")
}

var docsTemplate = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} {{.Version}}</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 60rem; margin: 0 auto; padding: 1rem 1.5rem 4rem; line-height: 1.5; color: #1d2330; }
h1 { margin-bottom: 0; } h2 { border-bottom: 1px solid #d6dbe4; padding-bottom: .2rem; margin-top: 2.5rem; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9em; }
pre { background: #f5f7fa; border: 1px solid #e3e7ee; border-radius: 4px; padding: .7rem; overflow-x: auto; }
.route { border: 1px solid #e3e7ee; border-radius: 6px; padding: .2rem 1rem .6rem; margin: 1rem 0; }
.m { display: inline-block; min-width: 3.5rem; font-weight: bold; color: #fff; border-radius: 3px; padding: 0 .4rem; text-align: center; }
.GET { background: #2f6fb3; } .POST { background: #2e8a57; }
.p { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-weight: bold; }
table { border-collapse: collapse; width: 100%; } td, th { text-align: left; border-bottom: 1px solid #eef0f4; padding: .2rem .5rem; vertical-align: top; }
.k { color: #7a3e9d; } .t { color: #2f6fb3; } .c { color: #6b7280; } .opt { color: #b45309; }
nav ul { columns: 2; } a { color: #2f6fb3; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p>Version {{.Version}}. Every route is under <code>/v1</code> and answers JSON. The machine-readable description of this page is
<a href="/v1/openapi.json"><code>/v1/openapi.json</code></a> (OpenAPI 3.0.3).</p>

<nav><ul>
<li><a href="#errors">Errors</a></li>
<li><a href="#pagination">Pagination</a></li>
<li><a href="#read-only">Read-only mode</a></li>
<li><a href="#limits">Limits and CORS</a></li>
{{range .Groups}}<li><a href="#tag-{{.Tag}}">{{.Tag}}</a></li>
{{end}}<li><a href="#schemas">Schemas</a></li>
</ul></nav>

<h2 id="errors">Errors</h2>
<p>A failure answers <code>Content-Type: application/problem+json</code> (RFC 9457) with its HTTP status. When the chain refused
(a tx or a query), <code>module</code> and <code>code</code> say which of the chain's errors it is, and <code>type</code> is
<code>urn:girder:error:&lt;module&gt;:&lt;code&gt;</code>; the codes are stable.</p>
<pre>HTTP/1.1 422 Unprocessable Entity
Content-Type: application/problem+json

{
  "type": "urn:girder:error:auth:3",
  "title": "nonce already used (replayed tx)",
  "status": 422,
  "detail": "…",
  "instance": "/v1/txs",
  "module": "auth",
  "code": 3
}</pre>
<table>
<tr><th>status</th><th>when</th></tr>
<tr><td>400</td><td>a malformed parameter or body (bad JSON, an unknown field, a bad address, height, limit or cursor); a bad query</td></tr>
<tr><td>403</td><td>a broadcast on a read-only node</td></tr>
<tr><td>404</td><td>no such route, block, tx or state entry</td></tr>
<tr><td>410</td><td>live events asked to resume from a height this node no longer has</td></tr>
<tr><td>413</td><td>a body larger than {{.MaxBody}} bytes</td></tr>
<tr><td>422</td><td>the chain refused the tx (its module and code say why)</td></tr>
<tr><td>500, 502, 503, 504</td><td>the node failed, could not be reached, took longer than {{.Timeout}}, or did not commit the tx in time</td></tr>
</table>

<h2 id="pagination">Pagination</h2>
<p>Lists answer a page at a time. <code>limit</code> is the page size, 1 to {{.MaxPageSize}} (default 30; outside that range: 400).
When more remain, the answer has <code>next</code>, an opaque cursor: pass it back as <code>cursor</code> (with the same other
parameters) for the following page; the last page has no <code>next</code>. A cursor this API did not give is refused (400).</p>

<h2 id="read-only">Read-only mode</h2>
<p>A node whose API is read-only (a regulator's node, for instance) refuses to broadcast: <code>POST /v1/txs</code> answers 403
and changes nothing. Every read, live events and <code>POST /v1/simulate</code> (a dry run that keeps nothing) still work.
{{if .ReadOnly}}<strong>This node's API is read-only.</strong>{{else}}This node's API is not read-only.{{end}}</p>

<h2 id="limits">Limits and CORS</h2>
<p>Request bodies are limited to {{.MaxBody}} bytes; a request (other than a live stream) is limited to {{.Timeout}}.
Module queries take <code>?height=H</code> (the state as of block H) or <code>?pending=true</code> (the state as this node's
mempool sees it: committed state plus the txs it admitted). Browsers may call this API from
{{if .CORS}}{{range $i, $o := .CORS}}{{if $i}}, {{end}}<code>{{$o}}</code>{{end}}{{else}}no other origin (CORS is off){{end}}.</p>
{{if .Streams}}
<h2 id="events">Live events</h2>
<p>These routes stream server-sent events (<code>text/event-stream</code>): each has an <code>id</code>; a client that reconnects with
<code>Last-Event-ID</code> resumes after it.</p>
<ul>{{range .Streams}}<li><a href="#{{.ID}}"><code>{{.Method}} {{.Path}}</code></a>: {{.Summary}}</li>{{end}}</ul>
{{end}}
{{range .Groups}}
<h2 id="tag-{{.Tag}}">{{.Tag}}</h2>
{{range .Routes}}<div class="route" id="{{.ID}}">
<p><span class="m {{.Method}}">{{.Method}}</span> <span class="p">{{.Path}}</span></p>
<p>{{.Summary}}</p>
{{if .Params}}<table><tr><th>parameter</th><th>in</th><th>type</th><th>description</th></tr>
{{range .Params}}<tr><td><code>{{.Name}}</code>{{if .Required}} (required){{end}}</td><td>{{.In}}</td><td><code>{{.Type}}</code></td><td>{{.Description}}</td></tr>
{{end}}</table>{{end}}
{{if .Body}}<p>Request body (application/json):</p><pre>{{.Body}}</pre>{{end}}
<p>Answer ({{.ResponseType}}):</p><pre>{{.Response}}</pre>
</div>
{{end}}{{end}}
<h2 id="schemas">Schemas</h2>
{{range .Schemas}}<h3 id="schema-{{.Name}}"><code>{{.Name}}</code></h3>
<pre>{{.Body}}</pre>
{{end}}
</body>
</html>
`))
