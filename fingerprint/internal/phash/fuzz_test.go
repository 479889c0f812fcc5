package phash

import (
	"image"
	"math/rand/v2"
	"sync"
	"testing"
)

// FuzzMatchesGoimagehash builds an image of a type, size, origin and
// content taken from the input and compares it with goimagehash.
func FuzzMatchesGoimagehash(f *testing.F) {
	f.Add([]byte{0, 10, 10, 0, 0, 1, 2, 3})
	f.Add([]byte{5, 63, 65, 3, 1, 255, 0, 128, 7})
	f.Add([]byte{12, 64, 64, 1, 1, 9, 9, 9})
	f.Add([]byte{16, 1, 1, 0, 0})
	f.Add([]byte{3, 200, 7, 2, 5, 0, 255})
	ms := makers()
	h := NewHasher()
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 5 {
			return
		}
		m := ms[int(data[0])%len(ms)]
		w, hh := 1+int(data[1]), 1+int(data[2])
		ox, oy := int(data[3]%8), int(data[4]%8)
		body := data[5:]
		rng := rand.New(rand.NewPCG(uint64(len(data)), 1))
		c := func(x, y, k int) uint8 {
			if len(body) == 0 {
				return uint8(x ^ y)
			}
			return body[(x*7+y*13+k)%len(body)]
		}
		img := m.make(image.Rect(0, 0, w+ox, hh+oy), c, rng)
		if ox+oy > 0 {
			img = subImage(img, image.Rect(ox, oy, w+ox, hh+oy))
		}
		check(t, h, m.name, img)
	})
}

// TestConcurrentHash hashes from several goroutines through the pool.
func TestConcurrentHash(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	ms := makers()
	type job struct {
		img  image.Image
		want uint64
	}
	var jobs []job
	for i := 0; i < 24; i++ {
		m := ms[i%len(ms)]
		img := m.make(image.Rect(0, 0, 50+rng.IntN(200), 50+rng.IntN(200)), noise(rng), rng)
		want, _ := reference(t, img)
		jobs = append(jobs, job{img, want})
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				j := jobs[(i+g*5)%len(jobs)]
				got, err := Hash(j.img)
				if err != nil || got != j.want {
					t.Errorf("Hash = %016x, %v; want %016x", got, err, j.want)
				}
			}
		}()
	}
	wg.Wait()
}
