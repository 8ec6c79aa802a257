package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	stripe "github.com/stripe/stripe-go/v76"

	"github.com/stripesql/stripesql/catalog"
	"github.com/stripesql/stripesql/internal/exec"
	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqltypes"
	"github.com/stripesql/stripesql/internal/stripeapi"
)

// objChange is the newest change the run's events bring for one object.
type objChange struct {
	eventID string
	typ     string
	created int64
	object  stripeapi.Object // data.object, decoded as the client decodes list answers
	deleted bool
	// refetch marks a snapshot not to trust: an event listed late (created before the cursor),
	// or one rendered in another API version than the catalog's. The object is read again.
	refetch bool
}

// eventWindow is what one read of the events saw.
type eventWindow struct {
	count  int64
	newest int64    // the newest event's created, 0 when there was none
	recent []string // ids of the events created within eventLookback of newest
}

// since is where a job's events start: eventLookback before its cursor, or, when no event
// existed at its last run, a few minutes before that run.
func (j *job) since() int64 {
	if j.cur.Events > 0 {
		return j.cur.Events - eventLookback
	}
	return j.cur.EventsAsOf.Unix() - 300
}

// scanEvents reads, once for every incremental table, the events created since the oldest of
// their cursors, newest first, and hands each table the newest change of each of its objects:
// data.object snapshots for its own object types, and for a child list the parent ids that its
// parent's or its own objects' events name.
func scanEvents(ctx context.Context, eng *engine, jobs []*job) (*eventWindow, error) {
	from := jobs[0].since()
	seen := make([]map[string]bool, len(jobs))
	for i, j := range jobs {
		from = min(from, j.since())
		seen[i] = map[string]bool{}
		for _, id := range j.cur.EventIDs {
			seen[i][id] = true
		}
		if j.parent != nil {
			j.parents, j.gone = map[string]bool{}, map[string]bool{}
		} else {
			j.changes = map[string]*objChange{}
		}
	}
	from = max(from, 0)
	w := &eventWindow{}
	type rec struct {
		id      string
		created int64
	}
	var all []rec
	sql := "SELECT id, type, created, api_version, data FROM events WHERE created >= " + unix(from)
	_, err := eng.query(ctx, sql, nil, func(row []any) error {
		ev := event{}
		ev.id, _ = row[0].(string)
		ev.typ, _ = row[1].(string)
		ev.created = unixOf(row[2])
		ev.apiVersion, _ = row[3].(string)
		if err := ev.decode(row[4]); err != nil {
			return fmt.Errorf("event %s: %w", ev.id, err)
		}
		w.count++
		w.newest = max(w.newest, ev.created)
		all = append(all, rec{ev.id, ev.created})
		for i, j := range jobs {
			if seen[i][ev.id] || ev.created < j.since() {
				continue
			}
			j.take(&ev)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, r := range all {
		if r.created >= w.newest-eventLookback {
			w.recent = append(w.recent, r.id)
		}
	}
	return w, nil
}

// event is one row of the events table, its data decoded.
type event struct {
	id, typ, apiVersion string
	created             int64
	object              stripeapi.Object
	prev                map[string]any
}

// decode reads data (jsonb) into the object and previous attributes, with numbers as
// json.Number, as the Stripe client decodes list answers, so exec.ObjectRow converts a snapshot
// exactly as it converts a listed object.
func (ev *event) decode(data any) error {
	var d struct {
		Object stripeapi.Object `json:"object"`
		Prev   map[string]any   `json:"previous_attributes"`
	}
	if err := decodeJSONValue(data, &d); err != nil {
		return err
	}
	ev.object, ev.prev = d.Object, d.Prev
	return nil
}

// decodeJSONValue decodes a jsonb value into v, numbers as json.Number.
func decodeJSONValue(data any, v any) error {
	jv, ok := data.(sqltypes.JSONValue)
	if !ok {
		return fmt.Errorf("not a json value: %T", data)
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(sqltypes.FormatJSON(jv.V))))
	dec.UseNumber()
	return dec.Decode(v)
}

// jsonObject reads an _object column value as a Stripe object.
func jsonObject(data any) (stripeapi.Object, error) {
	var obj stripeapi.Object
	err := decodeJSONValue(data, &obj)
	return obj, err
}

func (ev *event) objectType() string {
	s, _ := ev.object["object"].(string)
	return s
}

// refOf reads a reference field: an id, or an expanded object's id.
func refOf(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		s, _ := x["id"].(string)
		return s
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// take records what ev means for the job. Events come newest first, so the first change of an
// object is its newest.
func (j *job) take(ev *event) {
	ot := ev.objectType()
	if j.parent != nil {
		switch {
		case contains(objectsOf(j.parent.table), ot):
			id := refOf(ev.object["id"])
			if isDelete(ev.typ) {
				j.gone[id] = true
			} else if id != "" {
				j.parents[id] = true
			}
		case contains(objectsOf(j.table), ot):
			for _, v := range []any{ev.object[j.parent.column], ev.prev[j.parent.column]} {
				if id := refOf(v); id != "" {
					j.parents[id] = true
				}
			}
		}
		return
	}
	if !contains(objectsOf(j.table), ot) {
		return
	}
	id := refOf(ev.object["id"])
	if id == "" || j.changes[id] != nil {
		return
	}
	j.changes[id] = &objChange{eventID: ev.id, typ: ev.typ, created: ev.created, object: ev.object,
		deleted: isDelete(ev.typ), refetch: ev.created < j.cur.Events || (ev.apiVersion != "" && ev.apiVersion != stripe.APIVersion)}
}

// newestEvents is the cursor a full copy starts from: the newest event's created and the ids of
// the events within eventLookback of it (whose changes the copy already reads).
func newestEvents(ctx context.Context, eng *engine) (int64, []string, error) {
	var newest int64
	_, err := eng.query(ctx, "SELECT created FROM events ORDER BY created DESC LIMIT 1", nil, func(row []any) error {
		newest = unixOf(row[0])
		return nil
	})
	if err != nil || newest == 0 {
		return 0, nil, err
	}
	var ids []string
	_, err = eng.query(ctx, "SELECT id FROM events WHERE created >= "+unix(newest-eventLookback), nil, func(row []any) error {
		if id, ok := row[0].(string); ok {
			ids = append(ids, id)
		}
		return nil
	})
	return newest, ids, err
}

// newestCreated is the created time of t's newest object (0 for an empty table).
func newestCreated(ctx context.Context, eng *engine, t *catalog.Table) (int64, error) {
	var n int64
	_, err := eng.query(ctx, "SELECT created FROM "+quoteIdent(t.Name)+" ORDER BY created DESC LIMIT 1", nil, func(row []any) error {
		n = unixOf(row[0])
		return nil
	})
	return n, err
}

func quoteIdent(s string) string { return expr.QuoteIdent(s) }

// objectRow is exec.ObjectRow: a Stripe object as a row of t.
func objectRow(t *catalog.Table, obj stripeapi.Object) ([]any, error) {
	return exec.ObjectRow(t, obj, nil)
}

// convertTime reads a Unix-seconds JSON value as a time.
func convertTime(v any) (time.Time, error) {
	switch x := v.(type) {
	case json.Number:
		n, err := x.Int64()
		return time.Unix(n, 0).UTC(), err
	case float64:
		return time.Unix(int64(x), 0).UTC(), nil
	case int64:
		return time.Unix(x, 0).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("not a time: %T", v)
}
