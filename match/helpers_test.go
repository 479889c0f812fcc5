package match

import (
	"context"
	"crypto/sha256"
	"fmt"
	"image"
	"io"
	"log"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/pagematch/pagematch/fingerprint"
	"github.com/pagematch/pagematch/index"
	"github.com/pagematch/pagematch/internal/pirate"
	"github.com/pagematch/pagematch/internal/testpages"
)

// fixtures are JPEG bodies shared by the tests; rendering and encoding a
// page costs about 15 ms, so they are made once.
type fixtures struct {
	refA    []byte // series 1 page 2, as the publisher has it (q92)
	pirateA []byte // the same page re-encoded by a pirate (q70)
	pageB   []byte // series 1 page 3: same series, another page
	blank   []byte // a white page: too little information
	fpA     *fingerprint.Fingerprint
}

var loadFixtures = sync.OnceValue(func() *fixtures {
	enc := func(img image.Image, q int) []byte {
		b, err := pirate.EncodeJPEG(img, q)
		if err != nil {
			panic(err)
		}
		return b
	}
	pageA := testpages.Page(testpages.Spec{Series: 1, Page: 2, Width: 600, Height: 850})
	f := &fixtures{
		refA:    enc(pageA, 92),
		pirateA: enc(pageA, 70),
		pageB:   enc(testpages.Page(testpages.Spec{Series: 1, Page: 3, Width: 600, Height: 850}), 70),
		blank:   enc(testpages.Blank(testpages.BlankWhite, 600, 850), 70),
	}
	fp, err := fingerprint.FromBytes(context.Background(), f.refA)
	if err != nil {
		panic(err)
	}
	f.fpA = fp
	return f
})

const (
	idA       = "pub/series-1/p-002.jpg"
	rightsURL = "https://rights.example/takedown?id=1-2"
)

// indexOf returns an index holding page A, or an empty one.
func indexOf(t testing.TB, withA bool) *index.Index {
	t.Helper()
	b := index.NewBuilder()
	if withA {
		fp := loadFixtures().fpA
		err := b.Add(index.NewEntry(idA, fp, index.Meta{{Key: MetaRightsURL, Value: rightsURL}}))
		if err != nil {
			t.Fatal(err)
		}
	}
	idx, err := b.Index()
	if err != nil {
		t.Fatal(err)
	}
	return idx
}

// newMatcher returns a Matcher over indexOf(withA). Its budget is long:
// the tests share two cores with whatever else runs, and timeouts have
// their own test.
func newMatcher(t testing.TB, withA bool, opts ...Option) *Matcher {
	t.Helper()
	m, err := New(indexOf(t, withA), append([]Option{WithBudget(10 * time.Second)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// result is what a client saw.
type result struct {
	status  int
	header  http.Header
	trailer http.Header
	sum     [32]byte
	n       int
	err     error
}

func (r result) String() string {
	return fmt.Sprintf("status %d, %d bytes, sum %x, err %v", r.status, r.n, r.sum[:4], r.err)
}

func fetch(t testing.TB, c *http.Client, method, url string, hdr http.Header) result {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		return result{err: err}
	}
	defer resp.Body.Close()
	h := sha256.New()
	n, err := io.Copy(h, resp.Body)
	r := result{status: resp.StatusCode, header: resp.Header, trailer: resp.Trailer, n: int(n), err: err}
	copy(r.sum[:], h.Sum(nil))
	return r
}

func discardLog() *log.Logger { return log.New(io.Discard, "", 0) }
