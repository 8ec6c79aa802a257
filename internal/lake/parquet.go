package lake

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
	"github.com/apache/arrow/go/v15/parquet"
	"github.com/apache/arrow/go/v15/parquet/compress"
	"github.com/apache/arrow/go/v15/parquet/file"
	"github.com/apache/arrow/go/v15/parquet/pqarrow"

	"github.com/stripesql/stripesql/internal/sqltypes"
)

// Row groups are flushed when they reach either bound; a backfill keeps one writer per
// partition open, so the byte bound is what keeps its memory small.
const (
	rowGroupRows  = 65536
	rowGroupBytes = 4 << 20
)

// createdBy is the writer name recorded in every file's footer.
const createdBy = "stripesql sync (arrow/go/v15)"

// fileWriter writes rows of one table into one Parquet file: values go into Arrow builders, and
// each full batch becomes one snappy-compressed row group. (Not zstd: arrow/go v15 builds a new
// zstd encoder for every page it compresses, which made writing a month of charges 20 times
// slower than the request it came from; snappy is what Spark writes by default.)
type fileWriter struct {
	f      *os.File
	path   string
	cols   []Column
	kinds  []kind
	pw     *file.Writer
	bld    []array.Builder
	ctx    context.Context
	rows   int   // rows buffered in the builders
	bytes  int   // approximate bytes buffered
	total  int64 // rows written to the file
	closed bool
}

func newFileWriter(path string, cols []Column) (*fileWriter, error) {
	sc, err := ParquetSchema(cols)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	props := parquet.NewWriterProperties(
		parquet.WithCompression(compress.Codecs.Snappy),
		parquet.WithCreatedBy(createdBy),
		parquet.WithStats(true),
		parquet.WithDictionaryDefault(true),
		parquet.WithMaxRowGroupLength(rowGroupRows),
	)
	w := &fileWriter{f: f, path: path, cols: cols, pw: file.NewParquetWriter(f, sc.Root(), file.WithWriterProps(props))}
	as := ArrowSchema(cols)
	mem := memory.DefaultAllocator
	for i, c := range cols {
		w.kinds = append(w.kinds, kindOf(c.Type))
		w.bld = append(w.bld, array.NewBuilder(mem, as.Field(i).Type))
	}
	arrProps := pqarrow.DefaultWriterProps()
	w.ctx = pqarrow.NewArrowWriteContext(context.Background(), &arrProps)
	return w, nil
}

// Append adds one row (values in package sqltypes' representations, in column order).
func (w *fileWriter) Append(row []any) error {
	if len(row) != len(w.cols) {
		return fmt.Errorf("row has %d values for %d columns", len(row), len(w.cols))
	}
	for i, v := range row {
		n, err := appendValue(w.bld[i], w.kinds[i], w.cols[i].Type, v)
		if err != nil {
			return fmt.Errorf("column %s: %w", w.cols[i].Name, err)
		}
		w.bytes += n
	}
	w.rows++
	w.total++
	if w.rows >= rowGroupRows || w.bytes >= rowGroupBytes {
		return w.flush()
	}
	return nil
}

func (w *fileWriter) flush() error {
	if w.rows == 0 {
		return nil
	}
	rgw := w.pw.AppendRowGroup()
	for i, b := range w.bld {
		arr := b.NewArray()
		cw, err := rgw.NextColumn()
		if err == nil {
			err = writeColumn(w.ctx, cw, arr, w.kinds[i])
		}
		arr.Release()
		if err != nil {
			return fmt.Errorf("column %s: %w", w.cols[i].Name, err)
		}
	}
	w.rows, w.bytes = 0, 0
	return rgw.Close()
}

// Close writes the last row group and the footer and syncs the file to disk. A file with no
// rows is still a valid Parquet file (with the schema and no row groups).
func (w *fileWriter) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	err := w.flush()
	for _, b := range w.bld {
		b.Release()
	}
	if cerr := w.pw.Close(); err == nil {
		err = cerr
	}
	// file.Writer closes the sink it was given; sync and close are repeated safely.
	if serr := w.f.Sync(); err == nil && serr != nil && !errors.Is(serr, os.ErrClosed) {
		err = serr
	}
	if cerr := w.f.Close(); err == nil && cerr != nil && !errors.Is(cerr, os.ErrClosed) {
		err = cerr
	}
	return err
}

// abort closes the file without caring for errors and removes it.
func (w *fileWriter) abort() {
	if !w.closed {
		w.closed = true
		for _, b := range w.bld {
			b.Release()
		}
		_ = w.f.Close()
	}
	_ = os.Remove(w.path)
}

// writeColumn writes one column of a row group. Flat columns have one definition level per row
// (1 set, 0 NULL); lists have Parquet's three-level layout: definition 0 for a NULL list, 1 for
// an empty one, 2 for a NULL element and 3 for a value, repetition 0 at a row's first element.
func writeColumn(ctx context.Context, cw file.ColumnChunkWriter, arr arrow.Array, k kind) error {
	n := arr.Len()
	if k != kindList {
		def := make([]int16, n)
		for i := range def {
			if arr.IsValid(i) {
				def[i] = 1
			}
		}
		return pqarrow.WriteArrowToColumn(ctx, cw, arr, def, nil, true)
	}
	l := arr.(*array.List)
	offs := l.Offsets()
	child := l.ListValues()
	var def, rep []int16
	for i := 0; i < n; i++ {
		start, end := offs[i], offs[i+1]
		switch {
		case l.IsNull(i):
			def, rep = append(def, 0), append(rep, 0)
		case start == end:
			def, rep = append(def, 1), append(rep, 0)
		default:
			for j := start; j < end; j++ {
				d, r := int16(3), int16(1)
				if child.IsNull(int(j)) {
					d = 2
				}
				if j == start {
					r = 0
				}
				def, rep = append(def, d), append(rep, r)
			}
		}
	}
	values := array.NewSlice(child, int64(offs[0]), int64(offs[n]))
	defer values.Release()
	return pqarrow.WriteArrowToColumn(ctx, cw, values, def, rep, true)
}

// appendValue appends v to b and returns about how many bytes it adds.
func appendValue(b array.Builder, k kind, t sqltypes.Type, v any) (int, error) {
	if v == nil {
		b.AppendNull()
		return 1, nil
	}
	bad := func() (int, error) { return 0, fmt.Errorf("unexpected %T for %s", v, sqltypes.FormatType(t)) }
	switch k {
	case kindBool:
		x, ok := v.(bool)
		if !ok {
			return bad()
		}
		b.(*array.BooleanBuilder).Append(x)
		return 1, nil
	case kindInt16, kindInt32, kindInt64:
		x, ok := v.(int64)
		if !ok {
			return bad()
		}
		switch bb := b.(type) {
		case *array.Int16Builder:
			bb.Append(int16(x))
		case *array.Int32Builder:
			bb.Append(int32(x))
		case *array.Int64Builder:
			bb.Append(x)
		}
		return 8, nil
	case kindFloat32, kindFloat64:
		x, ok := v.(float64)
		if !ok {
			return bad()
		}
		if bb, ok := b.(*array.Float32Builder); ok {
			bb.Append(float32(x))
		} else {
			b.(*array.Float64Builder).Append(x)
		}
		return 8, nil
	case kindBytes:
		x, ok := v.([]byte)
		if !ok {
			return bad()
		}
		b.(*array.BinaryBuilder).Append(x)
		return len(x), nil
	case kindDate:
		x, ok := v.(time.Time)
		if !ok {
			return bad()
		}
		b.(*array.Date32Builder).Append(arrow.Date32FromTime(x))
		return 4, nil
	case kindTimestamptz, kindTimestamp:
		x, ok := v.(time.Time)
		if !ok {
			return bad()
		}
		b.(*array.TimestampBuilder).Append(arrow.Timestamp(x.UnixMicro()))
		return 8, nil
	case kindJSON:
		s := sqltypes.FormatText(v, t)
		b.(*array.ExtensionBuilder).StorageBuilder().(*array.StringBuilder).Append(s)
		return len(s), nil
	case kindList:
		a, ok := v.(sqltypes.Array)
		if !ok {
			return bad()
		}
		lb := b.(*array.ListBuilder)
		lb.Append(true)
		elem := sqltypes.Elem(t)
		total := 0
		for _, item := range a.Items {
			n, err := appendValue(lb.ValueBuilder(), kindOf(elem), elem, item)
			if err != nil {
				return 0, err
			}
			total += n
		}
		return total, nil
	case kindString:
		if s, ok := v.(string); ok {
			b.(*array.StringBuilder).Append(s)
			return len(s), nil
		}
	}
	s := sqltypes.FormatText(v, t)
	b.(*array.StringBuilder).Append(s)
	return len(s), nil
}

// scanFile reads a Parquet file the lake wrote and calls fn with each row, in the columns asked
// for (matched by name; a column the file lacks reads as NULL), values in package sqltypes'
// representations. It reads one record batch at a time.
func scanFile(path string, cols []Column, fn func(row []any) error) error {
	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	defer rdr.Close()
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{BatchSize: 4096}, memory.DefaultAllocator)
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	rr, err := fr.GetRecordReader(context.Background(), nil, nil)
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	defer rr.Release()
	index := make([]int, len(cols))
	sc := rr.Schema()
	for i, c := range cols {
		index[i] = -1
		if idx := sc.FieldIndices(c.Name); len(idx) > 0 {
			index[i] = idx[0]
		}
	}
	for {
		rec, err := rr.Read()
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("reading %s: %w", path, err)
		}
		if rec == nil {
			return nil
		}
		for r := 0; r < int(rec.NumRows()); r++ {
			row := make([]any, len(cols))
			for i, c := range cols {
				if index[i] < 0 {
					continue
				}
				v, err := readValue(rec.Column(index[i]), r, c.Type)
				if err != nil {
					return fmt.Errorf("reading %s, column %s: %w", path, c.Name, err)
				}
				row[i] = v
			}
			if err := fn(row); err != nil {
				return err
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
	}
}

// readValue is appendValue's inverse: the value at row i of arr as a value of SQL type t.
func readValue(arr arrow.Array, i int, t sqltypes.Type) (any, error) {
	if arr.IsNull(i) {
		return nil, nil
	}
	switch a := arr.(type) {
	case array.ExtensionArray:
		return readValue(a.Storage(), i, t)
	case *array.Boolean:
		return a.Value(i), nil
	case *array.Int16:
		return int64(a.Value(i)), nil
	case *array.Int32:
		return int64(a.Value(i)), nil
	case *array.Int64:
		return a.Value(i), nil
	case *array.Float32:
		return float64(a.Value(i)), nil
	case *array.Float64:
		return a.Value(i), nil
	case *array.Date32:
		return a.Value(i).ToTime().UTC(), nil
	case *array.Timestamp:
		return time.UnixMicro(int64(a.Value(i))).UTC(), nil
	case *array.String:
		return fromText(a.Value(i), t)
	case *array.Binary:
		if kindOf(t) == kindBytes {
			return append([]byte{}, a.Value(i)...), nil
		}
		return fromText(string(a.Value(i)), t) // JSON columns read back as binary
	case *array.List:
		elem := sqltypes.Elem(t)
		start, end := a.ValueOffsets(i)
		items := make([]any, 0, end-start)
		for j := start; j < end; j++ {
			v, err := readValue(a.ListValues(), int(j), elem)
			if err != nil {
				return nil, err
			}
			items = append(items, v)
		}
		return sqltypes.Array{Elem: elem, Items: items}, nil
	}
	return nil, fmt.Errorf("unexpected arrow type %s", arr.DataType())
}

func fromText(s string, t sqltypes.Type) (any, error) {
	if kindOf(t) == kindString {
		return s, nil
	}
	return sqltypes.ParseText(s, t, time.UTC)
}
