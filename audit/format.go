package audit

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
)

// Formats a report is written in.
const (
	FormatCSV  = "csv"
	FormatJSON = "json"
)

// Write writes rep in format (csv or json).
func Write(w io.Writer, rep *Report, format string) error {
	switch format {
	case FormatCSV:
		return WriteCSV(w, rep)
	case FormatJSON:
		return WriteJSON(w, rep)
	}
	return fmt.Errorf("format %q: want csv or json", format)
}

// WriteCSV writes the rows of rep as CSV (RFC 4180: fields with commas, quotes or line breaks
// are quoted, lines end with \n): the Columns header, then one line per row.
func WriteCSV(w io.Writer, rep *Report) error {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	if err := cw.Write(Columns); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	for _, r := range rep.Rows {
		if err := cw.Write(r.fields()); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// WriteJSON writes rep as one indented JSON object (keys of counts sorted, no HTML escaping),
// ending with a newline.
func WriteJSON(w io.Writer, rep *Report) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rep); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}
