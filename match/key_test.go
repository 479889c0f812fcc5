package match

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"testing"

	"github.com/zeebo/xxh3"
)

var keyLengths = []int{0, 1, 100, 240, 241, keyBlock - 1, keyBlock, keyBlock + 1, 2 * keyBlock,
	3*keyBlock + 17, 64<<10 + 1, 100<<10 + 3}

// TestBodyKey checks that the key of a body does not depend on how it
// arrived, copied or passing, that it is xxh3 for a body of one block,
// and that a change in any block changes it.
func TestBodyKey(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	m := newMatcher(t, false)
	o := object{}
	for _, n := range keyLengths {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		want := bodyKey(b)
		if n <= keyBlock && want != xxh3.Hash(b) {
			t.Errorf("%d bytes: key %x, xxh3 %x", n, want, xxh3.Hash(b))
		}
		for i := range 40 {
			// Copied (predict off), or passing from the first byte.
			hb := &heldBuf{m: m, limit: 1 << 30}
			c := newStreamCopy(m, hb, int64(n), &o)
			c.predict = false
			if passing := i%2 == 1; passing {
				c.decided = true
				c.startPassing(nil)
			}
			maxPiece := []int{1, 7, 4095, 4097, 40 << 10}[i%5]
			for rest := b; len(rest) > 0; {
				k := min(len(rest), 1+rng.IntN(maxPiece))
				c.add(rest[:k])
				rest = rest[k:]
			}
			if got := c.key(); got != want {
				t.Fatalf("%d bytes in pieces up to %d, passing %v: key %x, want %x", n, maxPiece, c.passing, got, want)
			}
			c.abort()
		}
		for i := 0; i < n; i += keyBlock / 2 {
			b[i] ^= 1
			if bodyKey(b) == want {
				t.Errorf("%d bytes: byte %d changed, same key", n, i)
			}
			b[i] ^= 1
		}
		if n > 0 && bodyKey(b[:n-1]) == want {
			t.Errorf("%d bytes: the body less its last byte has the same key", n)
		}
	}
	waitHeldZero(t, m)
}

// pieces is a body that comes in reads of random sizes, then ends with
// err (io.EOF if nil), like a socket.
type pieces struct {
	b      []byte
	rng    *rand.Rand
	err    error
	closed bool
}

func (p *pieces) Read(q []byte) (int, error) {
	if len(p.b) == 0 {
		if p.err != nil {
			return 0, p.err
		}
		return 0, io.EOF
	}
	n := copy(q, p.b[:min(len(p.b), 1+p.rng.IntN(100<<10))])
	p.b = p.b[n:]
	return n, nil
}

func (p *pieces) Close() error { p.closed = true; return nil }

// TestStreamingBodies reads bodies through ModifyResponse under LogOnly
// as ReverseProxy does, into a 32 KB buffer, and checks that the reader
// gets exactly what the upstream sent, ended the same way, and that whole
// bodies, and only they, get a verdict: the first from a fingerprint, the
// second from the cache. A body of declared length is read ahead into its
// copy (aheadBody); one of unknown length is copied as it passes
// (teeBody).
func TestStreamingBodies(t *testing.T) {
	f := loadFixtures()
	cut := errors.New("connection reset")
	rng := rand.New(rand.NewPCG(3, 4))
	for _, c := range []struct {
		name     string
		body     []byte
		declared int   // -1: unknown
		err      error // the upstream's error after body (nil: io.EOF)
		verdict  bool
	}{
		{"whole", f.pirateA, len(f.pirateA), nil, true},
		{"whole, unknown length", f.pirateA, -1, nil, true},
		{"empty", nil, 0, nil, true},
		{"empty, unknown length", nil, -1, nil, true},
		{"shorter than declared", f.pirateA[:5000], len(f.pirateA), nil, false},
		{"cut", f.pirateA[:16*keyBlock+10], len(f.pirateA), cut, false},
		{"cut, unknown length", f.pirateA[:16*keyBlock+10], -1, cut, false},
		{"longer than declared", f.pirateA, len(f.pirateA) - 100, nil, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			ev := newEvents()
			m := newMatcher(t, true, WithOnVerdict(ev.add))
			for round := range 2 {
				up := &pieces{b: c.body, rng: rng, err: c.err}
				req, _ := http.NewRequest("GET", "http://origin/a.jpg", nil)
				resp := &http.Response{StatusCode: 200, Request: req, ContentLength: int64(c.declared),
					Header: http.Header{"Content-Type": {"image/jpeg"}}, Body: up}
				m.ModifyResponse(resp)
				switch resp.Body.(type) {
				case *aheadBody:
					if c.declared < 0 {
						t.Fatal("unknown length read ahead")
					}
				case *teeBody:
					if c.declared >= 0 {
						t.Fatal("declared length not read ahead")
					}
				default:
					t.Fatalf("body %T", resp.Body)
				}
				var got bytes.Buffer
				buf := make([]byte, 32<<10)
				var err error
				for err == nil {
					var n int
					n, err = resp.Body.Read(buf)
					got.Write(buf[:n])
				}
				resp.Body.Close()
				wantErr := c.err
				if wantErr == nil {
					wantErr = io.EOF
				}
				if !bytes.Equal(got.Bytes(), c.body) || err != wantErr || !up.closed {
					t.Fatalf("round %d: got %d bytes, %v, closed %v; want %d bytes, %v", round, got.Len(), err, up.closed, len(c.body), wantErr)
				}
				waitHeldZero(t, m)
				if !c.verdict {
					continue
				}
				e := ev.waitDeferred(t)
				if e.Verdict.Cached != (round == 1) {
					t.Errorf("round %d: verdict %+v", round, e.Verdict)
				}
				// The verdict is on the declared bytes; what an upstream
				// sends past them passes uninspected.
				judged := c.body
				if c.declared >= 0 {
					judged = c.body[:c.declared]
				}
				if v, _ := m.Check(t.Context(), judged); !v.Cached || v.Kind != e.Verdict.Kind {
					t.Errorf("round %d: Check of the body %+v, streamed %+v", round, v, e.Verdict)
				}
			}
			ev.mu.Lock()
			defer ev.mu.Unlock()
			if want := map[bool]int{true: 2, false: 0}[c.verdict]; len(ev.ev) != want {
				t.Errorf("%d verdicts, want %d", len(ev.ev), want)
			}
		})
	}
}
