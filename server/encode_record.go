package server

import (
	"encoding/binary"

	"github.com/stripesql/stripesql/internal/sqltypes"
)

// appendRecordBinary encodes a composite value in PostgreSQL's binary record format (record_send):
// the field count, then per field its type OID, its length (-1 for NULL) and its binary value.
func (c *conn) appendRecordBinary(buf []byte, r sqltypes.Row) ([]byte, error) {
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(r.Values)))
	for i, v := range r.Values {
		t := sqltypes.Text
		if i < len(r.Types) {
			t = r.Types[i]
		}
		buf = binary.BigEndian.AppendUint32(buf, uint32(sqltypes.PublicType(t)))
		if v == nil {
			buf = binary.BigEndian.AppendUint32(buf, 0xFFFFFFFF)
			continue
		}
		at := len(buf)
		buf = append(buf, 0, 0, 0, 0)
		var err error
		if buf, err = c.appendBinary(buf, t, v); err != nil {
			return nil, err
		}
		binary.BigEndian.PutUint32(buf[at:], uint32(len(buf)-at-4))
	}
	return buf, nil
}
