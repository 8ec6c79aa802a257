package server

import (
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/stripesql/stripesql/internal/difftest"
	"github.com/stripesql/stripesql/internal/emulator"
	"github.com/stripesql/stripesql/internal/stripeapi"
)

// TestServerSurvivesCorpus sends every query of the differential corpus to one connection of the
// real engine, as a simple query and again through Parse/Bind/Describe/Execute/Sync with its first
// string literal turned into $1 and random parameter values, counts, formats and result formats.
// Whatever a client sends, the server must answer every message with ReadyForQuery, never close
// the connection, never recover from a panic, mark every error with a five-character SQLSTATE
// other than XX000 (internal error: a bug), and answer a fresh connection afterwards.
func TestServerSurvivesCorpus(t *testing.T) {
	queries := corpusQueries(t)
	_, url, stop, err := emulator.Start(emulator.Config{Seed: 7, Scale: emulator.ScaleN(20)})
	if err != nil {
		t.Fatalf("emulator.Start: %v", err)
	}
	t.Cleanup(stop)
	client, err := stripeapi.NewClient(stripeapi.Config{APIKey: "sk_test_survive", BaseURL: url, Scheduler: stripeapi.NewScheduler(testRate)})
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Backend: client, Rate: testRate}
	if cfg.Engine, err = NewEngine(cfg); err != nil {
		t.Fatal(err)
	}
	addr, srv := startServer(t, cfg)

	seed := uint64(time.Now().UnixNano())
	t.Logf("random seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	c := dial(t, addr)
	c.startup(nil)
	// The emulator's tables fit in a page or two, so no corpus query needs many requests.
	checkAnswer(t, "SET", c.query("SET stripesql.max_requests = 100000"))
	deadline := time.Now().Add(15 * time.Second)
	sent := 0
	outcomes := map[string]int{}
	defer func() { t.Logf("answers: %v", outcomes) }()
	for _, q := range queries {
		if time.Now().After(deadline) {
			t.Logf("stopped after %d of %d queries to stay within the test's time", sent, len(queries))
			break
		}
		outcomes["simple "+checkAnswer(t, q, c.query(q))]++
		if t.Failed() {
			return
		}
		withParam, want := q, 0
		if firstLiteral.MatchString(q) {
			withParam, want = firstLiteral.ReplaceAllStringFunc(q, oneParam()), 1
		}
		msgs := randomExtended(rng, withParam, want)
		c.send(msgs...)
		outcomes["extended "+checkAnswer(t, withParam, c.untilReady())]++
		if t.Failed() {
			t.Fatalf("bound with %+v", msgs[2])
		}
		sent++
	}
	if n := srv.panics.Load(); n != 0 {
		t.Fatalf("%d panics recovered while serving the corpus", n)
	}
	fresh := dial(t, addr)
	fresh.startup(nil)
	got := fresh.query("SELECT 1")
	if len(got) < 2 || got[len(got)-2] != "CommandComplete SELECT 1" {
		t.Fatalf("a fresh connection after the corpus got %q", got)
	}
}

// firstLiteral matches a string literal of the SQL text (good enough for the corpus).
var firstLiteral = regexp.MustCompile(`'[^']*'`)

// oneParam returns a replacement function that turns its first match into $1 and leaves the rest.
func oneParam() func(string) string {
	done := false
	return func(m string) string {
		if done {
			return m
		}
		done = true
		return "$1"
	}
}

// randomExtended returns an extended-protocol exchange for sql, which has want parameters, with
// random values: usually want of them, sometimes one fewer or more; each NULL, text or random
// bytes; usually with a valid list of formats (none, one for all, or one each), sometimes an
// invalid one; random result formats and row limit.
func randomExtended(rng *rand.Rand, sql string, want int) []pgproto3.FrontendMessage {
	n := want
	if rng.IntN(8) == 0 {
		n = max(0, want+rng.IntN(3)-1)
	}
	var params [][]byte
	for range n {
		switch rng.IntN(6) {
		case 0:
			params = append(params, nil)
		case 1:
			params = append(params, []byte("42"))
		case 2:
			params = append(params, binary.BigEndian.AppendUint64(nil, rng.Uint64()))
		case 3:
			params = append(params, binary.BigEndian.AppendUint32(nil, rng.Uint32()))
		case 4:
			params = append(params, []byte("cus_"+strings.Repeat("x", rng.IntN(30))))
		default:
			b := make([]byte, rng.IntN(12))
			for i := range b {
				b[i] = byte(rng.UintN(256))
			}
			params = append(params, b)
		}
	}
	var formats []int16
	switch k := rng.IntN(8); {
	case k < 2: // all text
	case k < 4:
		formats = []int16{int16(rng.IntN(2))}
	case k < 7:
		for range params {
			formats = append(formats, int16(rng.IntN(2)))
		}
	default: // a wrong length or an unknown format code
		for range rng.IntN(len(params) + 3) {
			formats = append(formats, int16(rng.IntN(3)))
		}
	}
	var results []int16 // none (all text) or one for all columns; now and then a list too long
	for range rng.IntN(2) + rng.IntN(8)/7*2 {
		results = append(results, int16(rng.IntN(2)))
	}
	return []pgproto3.FrontendMessage{
		&pgproto3.Parse{Query: sql},
		&pgproto3.Describe{ObjectType: 'S'},
		&pgproto3.Bind{ParameterFormatCodes: formats, Parameters: params, ResultFormatCodes: results},
		&pgproto3.Describe{ObjectType: 'P'},
		&pgproto3.Execute{MaxRows: uint32(rng.IntN(3))},
		&pgproto3.Sync{},
	}
}

// errorCode reads the SQLSTATE out of an "ErrorResponse SEVERITY CODE message" line.
var errorCode = regexp.MustCompile(`^ErrorResponse \S+ (\S*) `)

// checkAnswer fails the test when an answer to sql ended without ReadyForQuery or holds an error
// without a proper SQLSTATE.
// It returns the answer's outcome: "ok" or the SQLSTATE of its error.
func checkAnswer(t *testing.T, sql string, msgs []string) string {
	t.Helper()
	if len(msgs) == 0 || !strings.HasPrefix(msgs[len(msgs)-1], "ReadyForQuery") {
		t.Errorf("%q: the answer did not end with ReadyForQuery: %q", sql, msgs)
		return "no answer"
	}
	outcome := "ok"
	for _, m := range msgs {
		if !strings.HasPrefix(m, "ErrorResponse") {
			continue
		}
		g := errorCode.FindStringSubmatch(m)
		if g == nil || len(g[1]) != 5 || g[1] == "XX000" {
			t.Errorf("%q: %s", sql, m)
			return "bad error"
		}
		outcome = g[1]
	}
	return outcome
}

// corpusQueries reads every query of the differential corpus. Placeholders stay as written: they
// sit inside string literals, so they are values that match nothing.
func corpusQueries(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("../internal/difftest/testdata/corpus*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no differential corpus found (%v)", err)
	}
	var out []string
	for _, file := range files {
		text, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		entries, err := difftest.ParseCorpus(string(text))
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for _, e := range entries {
			out = append(out, e.SQL)
		}
	}
	return out
}

// TestHugeParameterNumber states what FuzzMessageReader found: a Parse of "$0110000000" made the
// test engine grow a list of 110 million parameter types and the connection hung. A parameter
// number past 65535 (the most values a Bind can carry) is an unknown parameter (42P02) for the
// test engine as for the planner, and the connection answers at once.
func TestHugeParameterNumber(t *testing.T) {
	fake, _ := startServer(t, Config{})
	for name, addr := range map[string]string{"fake engine": fake, "planner": startReal(t)} {
		t.Run(name, func(t *testing.T) {
			c := dial(t, addr)
			c.startup(nil)
			c.send(&pgproto3.Parse{Query: "SELECT $110000000"}, &pgproto3.Describe{ObjectType: 'S'}, &pgproto3.Sync{})
			got := c.untilReady()
			if len(got) != 2 || !strings.HasPrefix(got[0], "ErrorResponse ERROR 42P02 there is no parameter $110000000") {
				t.Errorf("answer %q, want 42P02 and ReadyForQuery", got)
			}
		})
	}
}
