package emulator

import (
	"net/http/httptest"
	"testing"
)

// BenchmarkSeedMedium measures seeding 10,000 charges and everything around them.
func BenchmarkSeedMedium(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := New(Config{Seed: int64(i), Scale: ScaleMedium, Now: clock}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkListPage measures one 100-charge list page deep in a 10,000-charge set, served
// in process (routing, filtering, cursor search, rendering and JSON encoding).
func BenchmarkListPage(b *testing.B) {
	e, err := New(Config{Seed: 1, Scale: ScaleMedium, Now: clock})
	if err != nil {
		b.Fatal(err)
	}
	ids := liveIDs(e, "charges")
	url := "/v1/charges?limit=100&starting_after=" + ids[5000]
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest("GET", url, nil)
		req.Header.Set("Authorization", "Bearer sk_test_bench")
		w := httptest.NewRecorder()
		e.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}
