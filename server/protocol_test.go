package server

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgproto3"
)

func TestStartup(t *testing.T) {
	addr, _ := startServer(t, Config{})
	base := func(tz, app string) []string {
		return []string{
			"AuthenticationOk",
			"ParameterStatus application_name=" + app,
			"ParameterStatus client_encoding=UTF8",
			"ParameterStatus DateStyle=ISO, MDY",
			"ParameterStatus IntervalStyle=postgres",
			"ParameterStatus TimeZone=" + tz,
			"ParameterStatus integer_datetimes=on",
			"ParameterStatus is_superuser=off",
			"ParameterStatus server_encoding=UTF8",
			"ParameterStatus server_version=15.4 (stripesql)",
			"ParameterStatus session_authorization=alice",
			"ParameterStatus standard_conforming_strings=on",
			"BackendKeyData",
			"ReadyForQuery I",
		}
	}
	tests := []struct {
		name   string
		params map[string]string
		want   []string
	}{
		{"defaults", nil, base("UTC", "")},
		{"startup parameters", map[string]string{"TimeZone": "Europe/Paris", "application_name": "psql"}, base("Europe/Paris", "psql")},
		{"options -c", map[string]string{"options": "-c TimeZone=Asia/Tokyo --application-name=x"}, base("Asia/Tokyo", "x")},
		{"no database means the user's", map[string]string{"database": ""}, base("UTC", "")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, addr)
			got := c.startup(tt.params)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("startup (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStartupRefusals(t *testing.T) {
	addr, _ := startServer(t, Config{})
	tests := []struct {
		name string
		msg  *pgproto3.StartupMessage
		want []string
	}{
		{"no user", &pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersionNumber, Parameters: map[string]string{"database": "x"}},
			[]string{"ErrorResponse FATAL 28000 no postgresql user name specified in startup packet", "EOF"}},
		{"protocol 2", &pgproto3.StartupMessage{ProtocolVersion: 2 << 16, Parameters: map[string]string{"user": "a"}},
			[]string{"ErrorResponse FATAL 08P01 invalid startup packet: unknown startup message code: 131072", "EOF"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, addr)
			c.send(tt.msg)
			if diff := cmp.Diff(tt.want, c.untilReady()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestSimpleQuery(t *testing.T) {
	addr, _ := startServer(t, Config{})
	// Each step runs on the same connection, in order, so transaction state carries over.
	steps := []struct {
		sql  string
		want []string
	}{
		{"SELECT numbers(2)", []string{"RowDescription n:20/0,label:25/0", "DataRow 1|n1", "DataRow 2|n2", "CommandComplete SELECT 2", "ReadyForQuery I"}},
		{"SELECT numbers(1); SELECT numbers(0)", []string{
			"RowDescription n:20/0,label:25/0", "DataRow 1|n1", "CommandComplete SELECT 1",
			"RowDescription n:20/0,label:25/0", "CommandComplete SELECT 0", "ReadyForQuery I"}},
		{"SELECT numbers(1); SELECT fail; SELECT numbers(1)", []string{
			"RowDescription n:20/0,label:25/0", "DataRow 1|n1", "CommandComplete SELECT 1",
			"ErrorResponse ERROR 42P01 relation \"nope\" does not exist @8", "ReadyForQuery I"}},
		{"", []string{"EmptyQueryResponse", "ReadyForQuery I"}},
		{" ; ", []string{"EmptyQueryResponse", "ReadyForQuery I"}},
		{"selec 1", []string{"ErrorResponse ERROR 42601 syntax error at or near \"selec\" @1", "ReadyForQuery I"}},
		{"SELECT types", []string{
			"RowDescription b:16/0,i2:21/0,i4:23/0,i8:20/0,f4:700/0,f8:701/0,num:1700/0,t:25/0,vc:1043/0,nm:19/0,by:17/0,d:1082/0,ts:1114/0,tstz:1184/0,iv:1186/0,js:114/0,jb:3802/0,o:26/0,rc:2205/0,ta:1009/0,ia:1016/0,nul:25/0",
			`DataRow t|-2|40000|9007199254740993|1.5|2.25|1234.5600|héllo|vc|nm|\xdead|2024-02-29|2024-01-02 03:04:05.000006|2024-01-02 03:04:05+00|1 year 2 mons 3 days 04:00:00|{"a": "x"}|["y", true, null]|16385|16386|{a,NULL,"b c"}|{1,2}|NULL`,
			"CommandComplete SELECT 1", "ReadyForQuery I"}},
		{"SET TimeZone = 'America/New_York'", []string{"CommandComplete SET", "ParameterStatus TimeZone=America/New_York", "ReadyForQuery I"}},
		{"SHOW TimeZone", []string{"RowDescription TimeZone:25/0", "DataRow America/New_York", "CommandComplete SHOW", "ReadyForQuery I"}},
		{"BEGIN", []string{"CommandComplete BEGIN", "ReadyForQuery T"}},
		{"INSERT INTO customers (email) VALUES ('a@b.c')", []string{
			"NoticeResponse NOTICE stripe has no transactions: this write is applied now and is not undone by rollback",
			"CommandComplete INSERT 0 1", "ReadyForQuery T"}},
		{"INSERT INTO customers (email) VALUES ('d@b.c')", []string{"CommandComplete INSERT 0 1", "ReadyForQuery T"}},
		{"SAVEPOINT a", []string{"CommandComplete SAVEPOINT", "ReadyForQuery T"}},
		{"SELECT fail", []string{"ErrorResponse ERROR 42P01 relation \"nope\" does not exist @8", "ReadyForQuery E"}},
		{"SELECT numbers(1)", []string{"ErrorResponse ERROR 25P02 current transaction is aborted, commands ignored until end of transaction block", "ReadyForQuery E"}},
		{"ROLLBACK TO SAVEPOINT a", []string{"CommandComplete ROLLBACK", "ReadyForQuery T"}},
		{"SELECT fail", []string{"ErrorResponse ERROR 42P01 relation \"nope\" does not exist @8", "ReadyForQuery E"}},
		{"COMMIT", []string{"CommandComplete ROLLBACK", "ReadyForQuery I"}},
		{"COMMIT", []string{"NoticeResponse WARNING there is no transaction in progress", "CommandComplete COMMIT", "ReadyForQuery I"}},
		{"START TRANSACTION; SELECT numbers(0); COMMIT", []string{
			"CommandComplete START TRANSACTION", "RowDescription n:20/0,label:25/0", "CommandComplete SELECT 0", "CommandComplete COMMIT", "ReadyForQuery I"}},
		{"DISCARD ALL", []string{"CommandComplete DISCARD ALL", "ParameterStatus TimeZone=UTC", "ReadyForQuery I"}},
		{"DEALLOCATE ALL", []string{"CommandComplete DEALLOCATE ALL", "ReadyForQuery I"}},
		{"DEALLOCATE nope", []string{"ErrorResponse ERROR 26000 prepared statement \"nope\" does not exist", "ReadyForQuery I"}},
		{"SELECT progress", []string{"NoticeResponse NOTICE scanned 10 rows", "RowDescription x:20/0", "DataRow 1", "CommandComplete SELECT 1", "ReadyForQuery I"}},
	}
	c := dial(t, addr)
	c.startup(nil)
	for _, s := range steps {
		t.Run(s.sql, func(t *testing.T) {
			if diff := cmp.Diff(s.want, c.query(s.sql)); diff != "" {
				t.Errorf("%q (-want +got):\n%s", s.sql, diff)
			}
		})
	}
}

func TestCopyOut(t *testing.T) {
	addr, _ := startServer(t, Config{})
	tests := []struct {
		sql  string
		want []string
	}{
		{"COPY (SELECT numbers(2)) TO STDOUT", []string{"CopyOutResponse 2 cols", "CopyData 1\tn1\n", "CopyData 2\tn2\n", "CopyDone", "CommandComplete COPY 2", "ReadyForQuery I"}},
		{"COPY (SELECT numbers(2)) TO STDOUT WITH (FORMAT csv, HEADER)", []string{"CopyOutResponse 2 cols", "CopyData n,label\n", "CopyData 1,n1\n", "CopyData 2,n2\n", "CopyDone", "CommandComplete COPY 2", "ReadyForQuery I"}},
		{"COPY (SELECT numbers(1)) TO STDOUT CSV HEADER", []string{"CopyOutResponse 2 cols", "CopyData n,label\n", "CopyData 1,n1\n", "CopyDone", "CommandComplete COPY 1", "ReadyForQuery I"}},
		{"COPY (SELECT types) TO STDOUT WITH (FORMAT csv)", []string{"CopyOutResponse 22 cols",
			`CopyData t,-2,40000,9007199254740993,1.5,2.25,1234.5600,héllo,vc,nm,\xdead,2024-02-29,2024-01-02 03:04:05.000006,2024-01-02 03:04:05+00,1 year 2 mons 3 days 04:00:00,"{""a"": ""x""}","[""y"", true, null]",16385,16386,"{a,NULL,""b c""}","{1,2}",` + "\n",
			"CopyDone", "CommandComplete COPY 1", "ReadyForQuery I"}},
		{"COPY customers FROM STDIN", []string{"ErrorResponse ERROR 0A000 COPY FROM is not supported", "ReadyForQuery I"}},
		{"COPY (SELECT numbers(1)) TO '/etc/passwd'", []string{"ErrorResponse ERROR 42501 COPY to a file or program is not allowed", "ReadyForQuery I"}},
	}
	c := dial(t, addr)
	c.startup(nil)
	for _, tt := range tests {
		t.Run(tt.sql, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, c.query(tt.sql)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestExtendedProtocol(t *testing.T) {
	addr, _ := startServer(t, Config{})
	c := dial(t, addr)
	c.startup(nil)
	steps := []struct {
		name string
		msgs []pgproto3.FrontendMessage
		want []string
	}{
		{"unnamed parse bind describe execute", []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: "SELECT numbers(3)"},
			&pgproto3.Bind{},
			&pgproto3.Describe{ObjectType: 'P'},
			&pgproto3.Execute{},
			&pgproto3.Sync{},
		}, []string{"ParseComplete", "BindComplete", "RowDescription n:20/0,label:25/0", "DataRow 1|n1", "DataRow 2|n2", "DataRow 3|n3", "CommandComplete SELECT 3", "ReadyForQuery I"}},
		{"describe statement with inferred parameters", []pgproto3.FrontendMessage{
			&pgproto3.Parse{Name: "s1", Query: "SELECT $1, $2", ParameterOIDs: []uint32{20}},
			&pgproto3.Describe{ObjectType: 'S', Name: "s1"},
			&pgproto3.Sync{},
		}, []string{"ParseComplete", "ParameterDescription 20,25", "RowDescription p1:20/0,p2:25/0", "ReadyForQuery I"}},
		{"bind text and binary parameters", []pgproto3.FrontendMessage{
			&pgproto3.Bind{PreparedStatement: "s1", ParameterFormatCodes: []int16{1, 0}, Parameters: [][]byte{{0, 0, 0, 0, 0, 0, 0, 42}, []byte("x")}},
			&pgproto3.Execute{},
			&pgproto3.Sync{},
		}, []string{"BindComplete", "DataRow 42|x", "CommandComplete SELECT 1", "ReadyForQuery I"}},
		{"binary parameter of the wrong size is 22P03", []pgproto3.FrontendMessage{
			&pgproto3.Bind{PreparedStatement: "s1", ParameterFormatCodes: []int16{1, 0}, Parameters: [][]byte{{0, 0, 42}, []byte("x")}},
			&pgproto3.Execute{},
			&pgproto3.Sync{},
		}, []string{"ErrorResponse ERROR 22P03 incorrect binary data format in bind parameter: int8: invalid length: expected 8 bytes, got 3", "ReadyForQuery I"}},
		{"null parameter", []pgproto3.FrontendMessage{
			&pgproto3.Bind{PreparedStatement: "s1", Parameters: [][]byte{nil, []byte("y")}},
			&pgproto3.Execute{},
			&pgproto3.Sync{},
		}, []string{"BindComplete", "DataRow NULL|y", "CommandComplete SELECT 1", "ReadyForQuery I"}},
		{"row limit and portal suspended", []pgproto3.FrontendMessage{
			&pgproto3.Parse{Name: "n5", Query: "SELECT numbers(5)"},
			&pgproto3.Bind{DestinationPortal: "p", PreparedStatement: "n5"},
			&pgproto3.Execute{Portal: "p", MaxRows: 2},
			&pgproto3.Execute{Portal: "p", MaxRows: 2},
			&pgproto3.Execute{Portal: "p", MaxRows: 2},
			&pgproto3.Sync{},
		}, []string{"ParseComplete", "BindComplete", "DataRow 1|n1", "DataRow 2|n2", "PortalSuspended",
			"DataRow 3|n3", "DataRow 4|n4", "PortalSuspended", "DataRow 5|n5", "CommandComplete SELECT 5", "ReadyForQuery I"}},
		{"portal is gone after sync", []pgproto3.FrontendMessage{
			&pgproto3.Execute{Portal: "p"},
			&pgproto3.Sync{},
		}, []string{"ErrorResponse ERROR 34000 portal \"p\" does not exist", "ReadyForQuery I"}},
		{"binary results", []pgproto3.FrontendMessage{
			&pgproto3.Bind{PreparedStatement: "n5", ResultFormatCodes: []int16{1, 0}},
			&pgproto3.Execute{MaxRows: 1},
			&pgproto3.Sync{},
		}, []string{"BindComplete", "DataRow \x00\x00\x00\x00\x00\x00\x00\x01|n1", "PortalSuspended", "ReadyForQuery I"}},
		{"errors discard until sync", []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: "SELECT fail"},
			&pgproto3.Bind{},
			&pgproto3.Execute{},
			&pgproto3.Parse{Query: "SELECT numbers(1)"},
			&pgproto3.Sync{},
			&pgproto3.Parse{Query: "SELECT numbers(1)"},
			&pgproto3.Bind{},
			&pgproto3.Execute{},
			&pgproto3.Sync{},
		}, []string{"ErrorResponse ERROR 42P01 relation \"nope\" does not exist @8", "ReadyForQuery I",
			"ParseComplete", "BindComplete", "DataRow 1|n1", "CommandComplete SELECT 1", "ReadyForQuery I"}},
		{"wrong parameter count", []pgproto3.FrontendMessage{
			&pgproto3.Bind{PreparedStatement: "s1", Parameters: [][]byte{[]byte("1")}},
			&pgproto3.Sync{},
		}, []string{"ErrorResponse ERROR 08P01 bind message supplies 1 parameters, but prepared statement \"s1\" requires 2", "ReadyForQuery I"}},
		{"bad parameter text", []pgproto3.FrontendMessage{
			&pgproto3.Bind{PreparedStatement: "s1", Parameters: [][]byte{[]byte("abc"), []byte("x")}},
			&pgproto3.Sync{},
		}, []string{"ErrorResponse ERROR 22P02 invalid input syntax for type bigint: \"abc\"", "ReadyForQuery I"}},
		{"duplicate statement name", []pgproto3.FrontendMessage{
			&pgproto3.Parse{Name: "s1", Query: "SELECT numbers(1)"},
			&pgproto3.Sync{},
		}, []string{"ErrorResponse ERROR 42P05 prepared statement \"s1\" already exists", "ReadyForQuery I"}},
		{"close statement then use it", []pgproto3.FrontendMessage{
			&pgproto3.Close{ObjectType: 'S', Name: "s1"},
			&pgproto3.Bind{PreparedStatement: "s1"},
			&pgproto3.Sync{},
		}, []string{"CloseComplete", "ErrorResponse ERROR 26000 prepared statement \"s1\" does not exist", "ReadyForQuery I"}},
		{"empty query", []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: ""},
			&pgproto3.Bind{},
			&pgproto3.Describe{ObjectType: 'P'},
			&pgproto3.Execute{},
			&pgproto3.Sync{},
		}, []string{"ParseComplete", "BindComplete", "NoData", "EmptyQueryResponse", "ReadyForQuery I"}},
		{"multiple commands refused", []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: "SELECT numbers(1); SELECT numbers(2)"},
			&pgproto3.Sync{},
		}, []string{"ErrorResponse ERROR 42601 cannot insert multiple commands into a prepared statement", "ReadyForQuery I"}},
		{"transaction through extended protocol", []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: "BEGIN"}, &pgproto3.Bind{}, &pgproto3.Execute{},
			&pgproto3.Parse{Query: "SELECT fail"},
			&pgproto3.Sync{},
			&pgproto3.Parse{Query: "ROLLBACK"}, &pgproto3.Bind{}, &pgproto3.Execute{},
			&pgproto3.Sync{},
		}, []string{"ParseComplete", "BindComplete", "CommandComplete BEGIN",
			"ErrorResponse ERROR 42P01 relation \"nope\" does not exist @8", "ReadyForQuery E",
			"ParseComplete", "BindComplete", "CommandComplete ROLLBACK", "ReadyForQuery I"}},
		{"flush without sync", []pgproto3.FrontendMessage{
			&pgproto3.Parse{Name: "f", Query: "SELECT numbers(1)"},
			&pgproto3.Flush{},
		}, []string{"ParseComplete"}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			c.send(s.msgs...)
			var got []string
			if _, last := s.msgs[len(s.msgs)-1].(*pgproto3.Flush); last {
				got = c.receiveN(len(s.want))
			} else {
				got = c.untilReady()
				// Two Syncs give two ReadyForQuery.
				syncs := 0
				for _, m := range s.msgs {
					if _, ok := m.(*pgproto3.Sync); ok {
						syncs++
					}
				}
				for i := 1; i < syncs; i++ {
					got = append(got, c.untilReady()...)
				}
			}
			if diff := cmp.Diff(s.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
