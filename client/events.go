package client

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// EventFilter selects the events a subscription receives. Every field is optional; the
// fields that are set must all match.
type EventFilter struct {
	Module  string // the event's module, e.g. "bank"
	Type    string // the event's type, e.g. "bank.transfer"
	Account string // a gir1… address: events of the txs that touch it
	Asset   string // a denom: events moving it ("amount" in it or "denom" equal to it)
	// FromHeight, when no last event id is given, replays from this height before going live
	// (0: live events only, from the next block).
	FromHeight int64
}

// StreamEvent is one event of a committed block, as GET /v1/events sends it. IDs are
// "<height>:<seq>", ordered by height then seq (the event's position in its block: the txs'
// events in block order, then the block's own events).
type StreamEvent struct {
	ID         string            `json:"-"`
	Height     int64             `json:"height"`
	Time       time.Time         `json:"time"`
	TxHash     string            `json:"tx_hash,omitempty"`
	Type       string            `json:"type"`
	Module     string            `json:"module"`
	Attributes map[string]string `json:"attributes"` // a repeated key's values are joined with ","
	Seq        int               `json:"seq"`
}

// StreamError is the API refusing a subscription (a problem+json answer, e.g. 400 for a bad
// filter or 410 when the resume height is pruned on that node), or an error message in the
// stream.
type StreamError struct {
	Status int    `json:"status"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
}

func (e *StreamError) Error() string {
	return fmt.Sprintf("event stream: %d %s: %s", e.Status, e.Title, e.Detail)
}

// permanent: retrying the same request cannot help.
func (e *StreamError) permanent() bool {
	return e.Status >= 400 && e.Status < 500 && e.Status != http.StatusRequestTimeout && e.Status != http.StatusTooManyRequests
}

// Stream timing: reconnect back-off, and how long a silent connection is trusted (the server
// sends a heartbeat every 15 s).
const (
	streamMinBackoff = 100 * time.Millisecond
	streamMaxBackoff = 5 * time.Second
	streamIdle       = 45 * time.Second
)

// Subscribe follows the live events of a node's API (apiURL: "http://127.0.0.1:1317", with or
// without /v1) that match f, starting after lastID ("" to start live, or at f.FromHeight).
//
// The subscription survives dropped connections and server-side overflows (a consumer too slow
// for the server's buffer): it reconnects with the id of the last event it delivered, the
// server replays what happened meanwhile, and events already delivered are skipped, so the
// caller sees every matching event once, in order. Keep the last ID you processed to resume
// after a restart of your program.
//
// events is unbuffered: the stream waits for the caller. errs receives one error when the
// subscription ends for good, then both channels close: ctx's error once ctx is done, or a
// *StreamError when the API refuses the subscription (bad filter: 400; resume height pruned on
// this node: 410). Other failures (node down, 503) are retried with a back-off until ctx ends.
//
//	ctx, cancel := context.WithCancel(context.Background())
//	defer cancel()
//	events, errs := client.Subscribe(ctx, "http://127.0.0.1:1317",
//		client.EventFilter{Account: "gir1…", Type: "bank.transfer"}, lastSeen)
//	for ev := range events {
//		fmt.Println(ev.ID, ev.TxHash, ev.Attributes["from"], "→", ev.Attributes["to"], ev.Attributes["amount"])
//		lastSeen = ev.ID // persist it to resume later
//	}
//	if err := <-errs; !errors.Is(err, context.Canceled) {
//		log.Fatal(err)
//	}
func Subscribe(ctx context.Context, apiURL string, f EventFilter, lastID string) (<-chan StreamEvent, <-chan error) {
	events := make(chan StreamEvent)
	errs := make(chan error, 1)
	s := &eventStream{f: f, last: lastID, out: events, hc: &http.Client{}}
	s.lastPos, s.hasPos = parseStreamID(lastID)
	base := strings.TrimRight(apiURL, "/")
	if !strings.HasSuffix(base, "/v1") {
		base += "/v1"
	}
	s.url = base + "/events"
	go func() {
		defer close(events)
		defer close(errs)
		errs <- s.run(ctx)
	}()
	return events, errs
}

type eventStream struct {
	url     string
	f       EventFilter
	hc      *http.Client
	out     chan<- StreamEvent
	last    string // resume point: the last id the stream sent (event or position)
	lastPos [2]int64
	hasPos  bool
}

// parseStreamID reads "<height>:<seq>".
func parseStreamID(id string) (p [2]int64, ok bool) {
	hs, ss, found := strings.Cut(id, ":")
	h, err1 := strconv.ParseInt(hs, 10, 64)
	q, err2 := strconv.ParseInt(ss, 10, 64)
	if !found || err1 != nil || err2 != nil {
		return p, false
	}
	return [2]int64{h, q}, true
}

func (s *eventStream) run(ctx context.Context) error {
	backoff := streamMinBackoff
	for {
		progressed, again, err := s.connect(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var se *StreamError
		if errors.As(err, &se) && se.permanent() {
			return err
		}
		if progressed {
			backoff = streamMinBackoff
		}
		if again { // overflow: reconnect at once
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
		if backoff *= 2; backoff > streamMaxBackoff {
			backoff = streamMaxBackoff
		}
	}
}

// connect runs one connection: progressed when the server answered 200, again when it asked
// the client to reconnect (overflow).
func (s *eventStream) connect(ctx context.Context) (progressed, again bool, err error) {
	q := url.Values{}
	for k, v := range map[string]string{"module": s.f.Module, "type": s.f.Type, "account": s.f.Account, "asset": s.f.Asset} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if s.last == "" && s.f.FromHeight > 0 {
		q.Set("from_height", strconv.FormatInt(s.f.FromHeight, 10))
	}
	u := s.url
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req, err := http.NewRequestWithContext(cctx, http.MethodGet, u, nil)
	if err != nil {
		return false, false, &StreamError{Status: http.StatusBadRequest, Title: "bad API URL", Detail: err.Error()}
	}
	req.Header.Set("Accept", "text/event-stream")
	if s.last != "" {
		req.Header.Set("Last-Event-ID", s.last)
	}
	res, err := s.hc.Do(req)
	if err != nil {
		return false, false, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
		se := &StreamError{}
		if json.Unmarshal(body, se) != nil || se.Status == 0 {
			se = &StreamError{Title: res.Status, Detail: strings.TrimSpace(string(body))}
		}
		se.Status = res.StatusCode
		return false, false, se
	}

	// A connection that stays silent longer than a few heartbeats is dead: drop it.
	idle := time.AfterFunc(streamIdle, cancel)
	defer idle.Stop()
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	var id, typ string
	var data strings.Builder
	hasID := false
	for sc.Scan() {
		idle.Reset(streamIdle)
		line := sc.Text()
		if line == "" { // dispatch
			if data.Len() > 0 {
				again, err := s.dispatch(ctx, typ, id, data.String())
				if err != nil || again {
					return true, again, err
				}
			} else if hasID {
				// A message with an id and no data moves the position without an event
				// (the server's heartbeats carry it).
				s.setLast(id)
			}
			typ, hasID = "", false
			data.Reset()
			continue
		}
		if strings.HasPrefix(line, ":") {
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "id":
			id, hasID = value, true
		case "event":
			typ = value
		case "data":
			if data.Len() > 0 {
				data.WriteByte('\n')
			}
			data.WriteString(value)
		}
	}
	if err := sc.Err(); err != nil {
		return true, false, err
	}
	return true, false, io.ErrUnexpectedEOF
}

// setLast moves the resume point forward (never back).
func (s *eventStream) setLast(id string) {
	p, ok := parseStreamID(id)
	if !ok {
		return
	}
	if !s.hasPos || s.lastPos[0] < p[0] || (s.lastPos[0] == p[0] && s.lastPos[1] < p[1]) {
		s.last, s.lastPos, s.hasPos = id, p, true
	}
}

func (s *eventStream) dispatch(ctx context.Context, typ, id, data string) (again bool, err error) {
	switch typ {
	case "overflow":
		s.setLast(id) // the server's position: every event up to it was delivered or filtered out
		return true, nil
	case "error":
		se := &StreamError{}
		if json.Unmarshal([]byte(data), se) != nil || se.Status == 0 {
			se = &StreamError{Status: http.StatusBadGateway, Title: "stream error", Detail: data}
		}
		return false, se
	}
	var ev StreamEvent
	if err := json.Unmarshal([]byte(data), &ev); err != nil {
		return false, fmt.Errorf("event %s: %w", id, err)
	}
	ev.ID = id
	if ev.ID == "" {
		ev.ID = strconv.FormatInt(ev.Height, 10) + ":" + strconv.Itoa(ev.Seq)
	}
	p, ok := parseStreamID(ev.ID)
	if ok && s.delivered(p) {
		return false, nil // already delivered before a reconnect
	}
	select {
	case s.out <- ev:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	if ok {
		s.last, s.lastPos, s.hasPos = ev.ID, p, true
	}
	return false, nil
}

func (s *eventStream) delivered(p [2]int64) bool {
	return s.hasPos && (p[0] < s.lastPos[0] || (p[0] == s.lastPos[0] && p[1] <= s.lastPos[1]))
}
