package match

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/pagematch/pagematch/fingerprint"
	"github.com/pagematch/pagematch/index"
)

func TestNewNilIndex(t *testing.T) {
	if _, err := New(nil); !errors.Is(err, ErrNilIndex) {
		t.Fatalf("New(nil) = %v, want ErrNilIndex", err)
	}
	m := newMatcher(t, false)
	if _, err := m.Reload(nil); !errors.Is(err, ErrNilIndex) {
		t.Fatalf("Reload(nil) = %v, want ErrNilIndex", err)
	}
}

func TestCheckVerdicts(t *testing.T) {
	f := loadFixtures()
	m := newMatcher(t, true, WithMaxBytes(int64(len(f.refA)+len(f.pirateA))))
	ctx := context.Background()

	v, err := m.Check(ctx, f.pirateA)
	if err != nil || v.Kind != KindMatch || !v.Match || v.ID != idA || v.Cached || v.Generation != 1 {
		t.Fatalf("pirate copy: %+v, %v", v, err)
	}
	if v.RightsURL() != rightsURL {
		t.Errorf("RightsURL = %q", v.RightsURL())
	}
	if v.Detail < 0 || v.Detail > fingerprint.DefaultDetailThreshold {
		t.Errorf("Detail = %d, want the confirming detail distance", v.Detail)
	}
	t.Logf("pirate copy matched at distance %d, detail %d, quality %d", v.Distance, v.Detail, v.Quality)
	if v, _ = m.Check(ctx, f.pirateA); !v.Cached || !v.Match {
		t.Errorf("second check: %+v, want a cached match", v)
	}
	if v, err = m.Check(ctx, f.pageB); err != nil || v.Kind != KindNoMatch {
		t.Errorf("other page of the series: %+v, %v", v, err)
	}
	if v, err = m.Check(ctx, f.blank); err != nil || v.Kind != KindLowQuality {
		t.Errorf("blank page: %+v, %v", v, err)
	}
	corrupt := append([]byte(nil), f.pirateA[:200]...)
	if v, err = m.Check(ctx, corrupt); !errors.Is(err, ErrFingerprint) || v.Kind != KindError {
		t.Errorf("truncated JPEG: %+v, %v", v, err)
	}
	if v, err = m.Check(ctx, []byte("<html>not an image</html>")); !errors.Is(err, ErrFingerprint) {
		t.Errorf("HTML: %+v, %v", v, err)
	}
	big := make([]byte, len(f.refA)+len(f.pirateA)+1)
	if v, err = m.Check(ctx, big); !errors.Is(err, ErrTooLarge) || v.Kind != KindTooLarge {
		t.Errorf("over the cap: %+v, %v", v, err)
	}
	if v, err = m.Check(ctx, nil); v.Kind != KindError || err == nil {
		t.Errorf("empty body: %+v, %v", v, err)
	}
}

func TestReloadInvalidatesCache(t *testing.T) {
	f := loadFixtures()
	m := newMatcher(t, true)
	ctx := context.Background()
	if v, _ := m.Check(ctx, f.pirateA); !v.Match {
		t.Fatalf("before reload: %+v", v)
	}
	gen, err := m.Reload(indexOf(t, false))
	if err != nil || gen != 2 {
		t.Fatalf("Reload = %d, %v", gen, err)
	}
	v, _ := m.Check(ctx, f.pirateA)
	if v.Match || v.Cached || v.Generation != 2 {
		t.Fatalf("after reload to an index without the page: %+v", v)
	}
	if idx, g := m.Index(); g != 2 || idx.Len() != 0 {
		t.Fatalf("Index() = %d entries, generation %d", idx.Len(), g)
	}
}

func TestCheckBudget(t *testing.T) {
	f := loadFixtures()
	m := newMatcher(t, true, WithBudget(time.Microsecond))
	ctx := context.Background()
	v, err := m.Check(ctx, f.pirateA)
	if v.Kind != KindTimeout && v.Kind != KindBusy {
		t.Fatalf("1 µs budget: %+v, %v", v, err)
	}
	if !errors.Is(err, ErrTimeout) && !errors.Is(err, ErrBusy) {
		t.Fatalf("err = %v", err)
	}
	// The fingerprint that outlived its budget fills the cache.
	deadline := time.Now().Add(10 * time.Second)
	for {
		v, _ = m.Check(ctx, f.pirateA)
		if v.Cached && v.Match {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("background fingerprint never cached: %+v", v)
		}
		time.Sleep(5 * time.Millisecond)
	}
	// A caller whose context has ended does not wait.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if v, err = m.Check(cctx, f.pageB); err == nil {
		t.Fatalf("cancelled context: %+v", v)
	}
}

func TestCheckSharesFingerprint(t *testing.T) {
	f := loadFixtures()
	reg := prometheus.NewPedanticRegistry()
	m := newMatcher(t, true, WithRegisterer(reg), WithBudget(10*time.Second))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if v, err := m.Check(context.Background(), f.pirateA); !v.Match {
				t.Errorf("%+v, %v", v, err)
			}
		})
	}
	wg.Wait()
	n, err := testutil.GatherAndCount(reg, "pagematch_fingerprint_seconds")
	if err != nil {
		t.Fatal(err)
	}
	// One histogram series; its count says how many fingerprints ran.
	mfs, _ := reg.Gather()
	for _, mf := range mfs {
		if mf.GetName() == "pagematch_fingerprint_seconds" {
			if c := mf.GetMetric()[0].GetHistogram().GetSampleCount(); c != 1 {
				t.Errorf("8 concurrent checks of one body ran %d fingerprints, want 1", c)
			}
		}
	}
	if n != 1 {
		t.Errorf("histogram series = %d", n)
	}
	if got := testutil.ToFloat64(m.met.cacheMisses) + testutil.ToFloat64(m.met.cacheHits); got != 8 {
		t.Errorf("hits+misses = %v, want 8", got)
	}
}

func TestMetricsRegistered(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	m := newMatcher(t, true, WithRegisterer(reg))
	m.Check(context.Background(), loadFixtures().pirateA)
	m.Reload(indexOf(t, true))
	want := `
# HELP pagematch_index_generation Generation of the current index; 1 for the index given to New, +1 per Reload.
# TYPE pagematch_index_generation gauge
pagematch_index_generation 2
# HELP pagematch_index_entries Entries in the current index.
# TYPE pagematch_index_entries gauge
pagematch_index_entries 1
# HELP pagematch_cache_misses_total Verdict cache misses.
# TYPE pagematch_cache_misses_total counter
pagematch_cache_misses_total 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"pagematch_index_generation", "pagematch_index_entries", "pagematch_cache_misses_total"); err != nil {
		t.Error(err)
	}
	for _, name := range []string{"pagematch_responses_inspected_total", "pagematch_responses_skipped_total",
		"pagematch_verdicts_total", "pagematch_actions_total", "pagematch_fingerprint_seconds",
		"pagematch_cache_hits_total", "pagematch_cache_mispredictions_total", "pagematch_cache_entries", "pagematch_reloads_total",
		"pagematch_reload_errors_total", "pagematch_held_bytes"} {
		if n, err := testutil.GatherAndCount(reg, name); err != nil || n == 0 {
			t.Errorf("%s: %d series, %v", name, n, err)
		}
	}
	// A second Matcher on the same registry must be told apart, and the
	// failed registration must leave nothing behind.
	if _, err := New(indexOf(t, false), WithRegisterer(reg)); err == nil {
		t.Error("duplicate registration accepted")
	}
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "pagematch_index_generation"); err != nil {
		t.Errorf("after a failed registration: %v", err)
	}
	reg2 := prometheus.NewPedanticRegistry()
	for _, name := range []string{"a", "b"} {
		wrapped := prometheus.WrapRegistererWith(prometheus.Labels{"matcher": name}, reg2)
		if _, err := New(indexOf(t, false), WithRegisterer(wrapped)); err != nil {
			t.Errorf("wrapped registerer %s: %v", name, err)
		}
	}
}

func TestFormatVerdictHeader(t *testing.T) {
	for _, c := range []struct {
		v    Verdict
		want string
	}{
		{Verdict{}, "nomatch"},
		{Verdict{Match: true, ID: "a/b.jpg", Distance: 12}, `match; id="a/b.jpg"; distance=12`},
		{Verdict{Match: true, ID: `q"uo\te`, Distance: 0}, `match; id="q\"uo\\te"; distance=0`},
		{Verdict{Match: true, ID: "café 100%", Distance: 3}, `match; id=%"caf%c3%a9 100%25"; distance=3`},
		{Verdict{Match: true, ID: "a\r\nSet-Cookie: x", Distance: 3}, `match; id=%"a%0d%0aSet-Cookie: x"; distance=3`},
	} {
		if got := FormatVerdictHeader(c.v); got != c.want {
			t.Errorf("%q: got %s, want %s", c.v.ID, got, c.want)
		}
	}
}

func TestRightsURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://r.example/x":        "https://r.example/x",
		"http://r.example/a?b=c":     "http://r.example/a?b=c",
		"ftp://r.example/x":          "",
		"/relative":                  "",
		"https://r.example/x>; rel=": "",
		"https://r.example/\r\nX: y": "",
		"":                           "",
	} {
		v := Verdict{Meta: index.Meta{{Key: MetaRightsURL, Value: in}}}
		if got := v.RightsURL(); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}
