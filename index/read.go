package index

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
	"os"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/zstd"
	"github.com/zeebo/xxh3"

	"github.com/pagematch/pagematch/fingerprint"
)

// Open reads the index file at path. See Read.
func Open(path string, opts ...Option) (*Index, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	defer f.Close()
	size := int64(-1)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	ix, err := read(bufio.NewReaderSize(f, 1<<20), size, opts)
	if err != nil {
		return nil, fmt.Errorf("%w (file %s)", err, path)
	}
	return ix, nil
}

// Read reads an index in the file format from r and builds its search
// tables. It verifies the header and every section checksum and rejects
// bad input with an error wrapping ErrBadMagic, ErrVersion, ErrChecksum,
// ErrTruncated, ErrCorrupt, ErrAlgorithm or ErrTooLarge; it never panics
// on bad input.
//
// Memory is allocated in proportion to the bytes actually read: when r's
// size is unknown, buffers grow as data arrives, so a header claiming
// 10^12 entries fails with ErrTruncated (or ErrCorrupt) instead of
// exhausting memory. If r has a Size() int64 method (bytes.Reader,
// strings.Reader, io.SectionReader), lengths are checked against it
// first.
func Read(r io.Reader, opts ...Option) (*Index, error) {
	size := int64(-1)
	if s, ok := r.(interface{ Size() int64 }); ok {
		size = s.Size()
		if sk, ok := r.(io.Seeker); ok {
			if pos, err := sk.Seek(0, io.SeekCurrent); err == nil {
				size -= pos
			}
		}
	}
	return read(r, size, opts)
}

func read(r io.Reader, size int64, opts []Option) (*Index, error) {
	cfg := defaultOpenConfig()
	for _, o := range opts {
		o.applyOpen(&cfg)
	}
	c, err := decodeColumns(r, size, &cfg)
	if err != nil {
		return nil, err
	}
	return newIndex(c, cfg)
}

// headerInfo is a decoded header with its byte length.
type headerInfo struct {
	hdr  header
	secs []section
	len  int64
}

// readHeader reads and verifies the magic, version and header.
func readHeader(r io.Reader) (*headerInfo, error) {
	fixed := make([]byte, fixedHeader)
	n, err := io.ReadFull(r, fixed)
	if n < len(magic) {
		if bytes.HasPrefix([]byte(magic), fixed[:n]) && n > 0 {
			return nil, fmt.Errorf("%w: %d bytes", ErrTruncated, n)
		}
		return nil, ErrBadMagic
	}
	if string(fixed[:len(magic)]) != magic {
		return nil, ErrBadMagic
	}
	if err != nil {
		return nil, fmt.Errorf("%w: in header", ErrTruncated)
	}
	v := binary.LittleEndian.Uint32(fixed[len(magic):])
	if v < 1 || v > formatVersion {
		return nil, fmt.Errorf("%w: version %d (this reader knows 1 to %d)", ErrVersion, v, formatVersion)
	}
	hlen := binary.LittleEndian.Uint32(fixed[len(magic)+4:])
	if hlen > maxHeaderBody {
		return nil, fmt.Errorf("%w: header of %d bytes", ErrCorrupt, hlen)
	}
	rest := make([]byte, int(hlen)+8)
	if _, err := io.ReadFull(r, rest); err != nil {
		return nil, fmt.Errorf("%w: in header", ErrTruncated)
	}
	body := rest[:hlen]
	h := xxh3.New()
	h.Write(fixed)
	h.Write(body)
	if h.Sum64() != binary.LittleEndian.Uint64(rest[hlen:]) {
		return nil, fmt.Errorf("%w: header", ErrChecksum)
	}
	hdr, secs, err := parseHeaderBody(int(v), body)
	if err != nil {
		return nil, err
	}
	return &headerInfo{hdr: hdr, secs: secs, len: int64(fixedHeader) + int64(hlen) + 8}, nil
}

// expectSize checks the header's section lengths against a known input
// size.
func (hi *headerInfo) expectSize(size int64) error {
	total := uint64(hi.len)
	for _, s := range hi.secs {
		total += s.stored
		if total > 1<<62 {
			return fmt.Errorf("%w: section lengths overflow", ErrCorrupt)
		}
	}
	switch {
	case size < 0:
	case uint64(size) < total:
		return fmt.Errorf("%w: %d bytes, header says %d", ErrTruncated, size, total)
	case uint64(size) > total:
		return fmt.Errorf("%w: %d trailing bytes", ErrCorrupt, uint64(size)-total)
	}
	return nil
}

// readStored reads a section's stored bytes, allocating as data arrives
// unless the input size is known (and was checked by expectSize).
func readStored(r io.Reader, n uint64, sizeKnown bool) ([]byte, error) {
	if sizeKnown || n <= 1<<20 {
		b := make([]byte, n)
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, ErrTruncated
		}
		return b, nil
	}
	var bb bytes.Buffer
	bb.Grow(1 << 20)
	if m, err := io.CopyN(&bb, r, int64(n)); err != nil || uint64(m) != n {
		return nil, ErrTruncated
	}
	return bb.Bytes(), nil
}

// sectionReader reads sections in order, verifying each checksum and
// decompressing it.
type sectionReader struct {
	r         io.Reader
	sizeKnown bool
	n         uint64
	dec       *zstd.Decoder
}

func (sr *sectionReader) close() {
	if sr.dec != nil {
		sr.dec.Close()
	}
}

// next returns section s's decoded bytes.
func (sr *sectionReader) next(s section) ([]byte, error) {
	name := sectionNames[s.kind]
	if s.raw > maxRaw(s.kind, sr.n) {
		return nil, fmt.Errorf("%w: section %s claims %d bytes for %d entries", ErrCorrupt, name, s.raw, sr.n)
	}
	b, err := readStored(sr.r, s.stored, sr.sizeKnown)
	if err != nil {
		return nil, fmt.Errorf("%w: in section %s", err, name)
	}
	if xxh3.Hash(b) != s.sum {
		return nil, fmt.Errorf("%w: section %s", ErrChecksum, name)
	}
	if s.codec == codecRaw {
		return b, nil
	}
	if sr.dec == nil {
		sr.dec, err = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecodeAllCapLimit(true),
			zstd.WithDecoderMaxWindow(zstdWindow))
		if err != nil {
			return nil, fmt.Errorf("index: zstd: %w", err)
		}
	}
	out, err := sr.decompress(b, s.raw)
	if err != nil || uint64(len(out)) != s.raw {
		return nil, fmt.Errorf("%w: section %s does not decompress to %d bytes", ErrCorrupt, name, s.raw)
	}
	return out, nil
}

// decompress decodes a zstd section that should hold raw bytes. Usually
// the output buffer is allocated at once; when the claim is far above
// what the stored bytes plausibly expand to, the buffer instead grows
// with the data actually decoded, so a forged length cannot make the
// reader allocate more than the input really holds.
func (sr *sectionReader) decompress(b []byte, raw uint64) ([]byte, error) {
	if raw <= 1<<20 || raw/64 <= uint64(len(b)) {
		return sr.dec.DecodeAll(b, make([]byte, 0, raw))
	}
	if err := sr.dec.Reset(bytes.NewReader(b)); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.Grow(1 << 20)
	if _, err := io.CopyN(&out, sr.dec, int64(raw)); err != nil {
		return nil, err
	}
	if k, _ := sr.dec.Read(make([]byte, 1)); k != 0 {
		return nil, ErrCorrupt
	}
	return out.Bytes(), nil
}

// decodeColumns reads a whole file into columns.
func decodeColumns(r io.Reader, size int64, cfg *openConfig) (*columns, error) {
	hi, err := readHeader(r)
	if err != nil {
		return nil, err
	}
	h := &hi.hdr
	if cfg.algorithm != "" && h.algorithm != cfg.algorithm {
		return nil, fmt.Errorf("%w: file has %q, want %q", ErrAlgorithm, h.algorithm, cfg.algorithm)
	}
	if h.count > uint64(cfg.maxEntries) {
		return nil, fmt.Errorf("%w: %d entries (limit %d)", ErrTooLarge, h.count, cfg.maxEntries)
	}
	if err := hi.expectSize(size); err != nil {
		return nil, err
	}
	sr := &sectionReader{r: r, sizeKnown: size >= 0, n: h.count}
	defer sr.close()
	c := &columns{hdr: *h}
	n := h.count
	for _, s := range hi.secs {
		b, err := sr.next(s)
		if err != nil {
			return nil, err
		}
		if err := c.decodeSection(s.kind, b, n); err != nil {
			return nil, fmt.Errorf("%w (section %s)", err, sectionNames[s.kind])
		}
	}
	if err := c.checkViews(); err != nil {
		return nil, err
	}
	if size < 0 {
		var one [1]byte
		if k, _ := io.ReadFull(r, one[:]); k != 0 {
			return nil, fmt.Errorf("%w: trailing data", ErrCorrupt)
		}
	}
	return c, nil
}

func (c *columns) decodeSection(kind int, b []byte, n uint64) error {
	var err error
	switch kind {
	case secHashes:
		c.hashes, err = decodeHashes(b, n)
	case secQuality:
		if uint64(len(b)) != n {
			return fmt.Errorf("%w: %d qualities for %d entries", ErrCorrupt, len(b), n)
		}
		for _, q := range b {
			if q > 100 {
				return fmt.Errorf("%w: quality %d", ErrCorrupt, q)
			}
		}
		c.quality = b
	case secIDDirs:
		c.dirs, err = parseDictPayload(b, n, MaxIDLen)
	case secIDBases:
		c.bases, err = parseDictPayload(b, n, MaxIDLen)
	case secIDCodes:
		if len(b) < 2 {
			return fmt.Errorf("%w: short codes", ErrCorrupt)
		}
		c.baseBits = bitsFor(uint64(c.bases.n))
		if uint(b[1]) != c.baseBits {
			return fmt.Errorf("%w: base bits %d", ErrCorrupt, b[1])
		}
		c.idCodes, err = decodeCodes(b[2:], n, uint(b[0]), bitsFor(uint64(c.dirs.n))+c.baseBits)
		if err == nil {
			err = checkIDCodes(c)
		}
	case secMetaDict:
		c.metas, err = parseDictPayload(b, n, MaxMetaLen)
		var buf []byte
		for i := 0; err == nil && i < c.metas.n; i++ {
			buf = c.metas.appendString(buf[:0], i)
			_, err = walkMeta(buf, nil)
		}
	case secRegionHashes, secRegionQuality, secDetails, secRegionDetails:
		err = c.decodeViews(kind, b, n)
	case secMetaCodes:
		if len(b) < 1 {
			return fmt.Errorf("%w: short codes", ErrCorrupt)
		}
		c.metaCodes, err = decodeCodes(b[1:], n, uint(b[0]), bitsFor(uint64(c.metas.n)))
		for i := 0; err == nil && i < c.metaCodes.n; i++ {
			if c.metaCodes.get(i) >= uint64(c.metas.n) {
				err = fmt.Errorf("%w: metadata code out of range", ErrCorrupt)
			}
		}
	}
	return err
}

// checkIDCodes makes sure every ID code names existing dictionary strings.
func checkIDCodes(c *columns) error {
	nd, nb := uint64(c.dirs.n), uint64(c.bases.n)
	for i := 0; i < c.idCodes.n; i++ {
		code := c.idCodes.get(i)
		if code>>c.baseBits >= nd || code&(1<<c.baseBits-1) >= nb {
			return fmt.Errorf("%w: ID code out of range at entry %d", ErrCorrupt, i)
		}
	}
	return nil
}

func decodeCodes(b []byte, n uint64, width, want uint) (packed, error) {
	if width != want {
		return packed{}, fmt.Errorf("%w: code width %d, want %d", ErrCorrupt, width, want)
	}
	words := packedWords(int(n), width)
	if len(b) != 8*words {
		return packed{}, fmt.Errorf("%w: %d code bytes, want %d", ErrCorrupt, len(b), 8*words)
	}
	p := packed{words: make([]uint64, words), width: width, n: int(n)}
	for i := range p.words {
		p.words[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	return p, nil
}

// decodeHashes decodes the hashes section (see format.go) and checks
// that the hashes are sorted.
func decodeHashes(b []byte, n uint64) ([]fingerprint.Hash, error) {
	u := chooseHighBits(n)
	if uint64(len(b)) != hashSectionLen(n, u) || b[0] != byte(u) {
		return nil, fmt.Errorf("%w: hashes section of %d bytes for %d entries", ErrCorrupt, len(b), n)
	}
	hs := make([]fingerprint.Hash, n)
	adviseHuge(hs)
	highWords := (n + 1<<u + 63) / 64
	var i uint64
	for w := uint64(0); w < highWords; w++ {
		x := binary.LittleEndian.Uint64(b[1+8*w:])
		for x != 0 {
			p := w*64 + uint64(bits.TrailingZeros64(x))
			x &= x - 1
			if i >= n || (p-i)>>u != 0 {
				return nil, fmt.Errorf("%w: hash high bits", ErrCorrupt)
			}
			hs[i][0] = (p - i) << (64 - u)
			i++
		}
	}
	if i != n {
		return nil, fmt.Errorf("%w: %d hashes for %d entries", ErrCorrupt, i, n)
	}
	// The low parts have a fixed width, so chunks decode in parallel.
	low := b[1+8*highWords:]
	width := 256 - uint64(u)
	parallel(len(hs), func(lo, hi int) bool {
		off := uint64(lo) * width
		br := bitReader{b: low[8*(off/64):]}
		br.get(uint(off % 64))
		for i := lo; i < hi; i++ {
			h := &hs[i]
			l0, l1, l2 := br.get(64), br.get(64), br.get(64)
			l3 := br.get(64-u) << u
			h[0] |= l0 >> u
			h[1] = l1>>u | l0<<(64-u)
			h[2] = l2>>u | l1<<(64-u)
			h[3] = l3>>u | l2<<(64-u)
		}
		return false
	})
	unsorted := parallel(len(hs), func(lo, hi int) bool {
		for i := max(lo, 1); i < hi; i++ {
			if cmpHash(&hs[i-1], &hs[i]) > 0 {
				return true
			}
		}
		return false
	})
	if unsorted {
		return nil, fmt.Errorf("%w: hashes not sorted", ErrCorrupt)
	}
	return hs, nil
}

// parallel runs f over chunks of [0, n) on GOMAXPROCS goroutines (one
// for small n) and reports whether any call returned true.
func parallel(n int, f func(lo, hi int) bool) bool {
	workers := runtime.GOMAXPROCS(0)
	if n < 1<<16 || workers == 1 {
		return f(0, n)
	}
	var found atomic.Bool
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if f(n*w/workers, n*(w+1)/workers) {
				found.Store(true)
			}
		}()
	}
	wg.Wait()
	return found.Load()
}

// bitReader reads values packed by bitWriter from a buffer whose length
// was checked by the caller; reads past the end return zeros.
type bitReader struct {
	b    []byte
	acc  uint64
	nacc uint
}

func (r *bitReader) get(n uint) uint64 {
	if n <= r.nacc {
		v := r.acc
		if n < 64 {
			v &= 1<<n - 1
		}
		r.acc >>= n
		r.nacc -= n
		if n == 64 {
			r.acc = 0
		}
		return v
	}
	var w uint64
	if len(r.b) >= 8 {
		w = binary.LittleEndian.Uint64(r.b)
		r.b = r.b[8:]
	}
	v := r.acc | w<<r.nacc
	if n < 64 {
		v &= 1<<n - 1
	}
	used := n - r.nacc
	r.acc = 0
	if used < 64 {
		r.acc = w >> used
	}
	r.nacc = 64 - used
	return v
}
