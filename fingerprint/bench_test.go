package fingerprint_test

import (
	"context"
	"testing"

	"github.com/pagematch/pagematch/fingerprint"
	"github.com/pagematch/pagematch/internal/testpages"
)

func BenchmarkFromBytesFast(b *testing.B) {
	data := mustJPEG(b, testpages.Page(testpages.Spec{Series: 1, Page: 1}), 85)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := fingerprint.FromBytes(context.Background(), data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFromImage(b *testing.B) {
	img := testpages.Page(testpages.Spec{Series: 1, Page: 1})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := fingerprint.FromImage(img); err != nil {
			b.Fatal(err)
		}
	}
}
