package index

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/klauspost/compress/zstd"
	"github.com/zeebo/xxh3"

	"github.com/pagematch/pagematch/fingerprint"
)

var zstdLevels = [...]zstd.EncoderLevel{zstd.SpeedFastest, zstd.SpeedFastest, zstd.SpeedDefault, zstd.SpeedBetterCompression, zstd.SpeedBestCompression}

// encodeSections builds every section's stored bytes.
func encodeSections(c *columns, level int) ([]section, [][]byte, error) {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstdLevels[min(max(level, 1), 4)]),
		zstd.WithEncoderConcurrency(1), zstd.WithEncoderCRC(false), zstd.WithWindowSize(zstdWindow))
	if err != nil {
		return nil, nil, fmt.Errorf("index: zstd: %w", err)
	}
	defer enc.Close()
	n := len(c.hashes)
	raws := [numSections + 1][]byte{
		secHashes:    encodeHashes(c.hashes),
		secQuality:   c.quality,
		secIDDirs:    appendDictPayload(nil, &c.dirs),
		secIDBases:   appendDictPayload(nil, &c.bases),
		secIDCodes:   c.idCodes.appendBytes([]byte{byte(c.idCodes.width), byte(c.baseBits)}),
		secMetaDict:  appendDictPayload(nil, &c.metas),
		secMetaCodes: c.metaCodes.appendBytes([]byte{byte(c.metaCodes.width)}),
	}
	if c.idCodes.n != n || c.metaCodes.n != n || len(c.quality) != n {
		return nil, nil, errors.New("index: internal error: column lengths differ")
	}
	if c.hasRegions() {
		raws[secRegionHashes], raws[secRegionQuality] = c.encodeRegions()
	}
	if c.hasDetails() {
		raws[secDetails], raws[secRegionDetails] = c.encodeDetails()
	}
	count := sectionCount(c.hdr.version)
	secs := make([]section, count)
	stored := make([][]byte, count)
	for k := secHashes; k <= count; k++ {
		raw := raws[k]
		s := section{kind: k, codec: codecRaw, raw: uint64(len(raw))}
		out := raw
		// Near-random hash bits do not compress; everything else is tried.
		if k != secHashes && k != secRegionHashes && k != secDetails && k != secRegionDetails && len(raw) >= 64 {
			if z := enc.EncodeAll(raw, nil); len(z) < len(raw)-len(raw)/32 {
				out, s.codec = z, codecZstd
			}
		}
		s.stored = uint64(len(out))
		s.sum = xxh3.Hash(out)
		secs[k-1], stored[k-1] = s, out
	}
	return secs, stored, nil
}

// writeColumns writes the file format to w.
func writeColumns(w io.Writer, c *columns, level int) (int64, error) {
	secs, stored, err := encodeSections(c, level)
	if err != nil {
		return 0, err
	}
	var total int64
	hdr := appendHeader(nil, &c.hdr, secs)
	for _, b := range append([][]byte{hdr}, stored...) {
		n, err := w.Write(b)
		total += int64(n)
		if err != nil {
			return total, fmt.Errorf("index: write: %w", err)
		}
	}
	return total, nil
}

// saveColumns writes atomically: a temporary file in path's directory,
// synced, renamed over path, and the directory synced.
func saveColumns(path string, c *columns, level int) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return fmt.Errorf("index: save: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	if _, err = writeColumns(bw, c, level); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return fmt.Errorf("index: save: %w", err)
	}
	if err = f.Chmod(0o644); err != nil {
		return fmt.Errorf("index: save: %w", err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("index: save: %w", err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("index: save: %w", err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("index: save: %w", err)
	}
	// The rename is durable only once the directory is synced; not every
	// platform allows that, so a failure here is not an error.
	if d, derr := os.Open(dir); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// encodeHashes encodes sorted hashes as the hashes section (see format.go).
func encodeHashes(hs []fingerprint.Hash) []byte {
	n := uint64(len(hs))
	u := chooseHighBits(n)
	out := make([]byte, 1, hashSectionLen(n, u))
	out[0] = byte(u)
	high := make([]uint64, (n+1<<u+63)/64)
	for i := range hs {
		p := hs[i][0]>>(64-u) + uint64(i)
		high[p>>6] |= 1 << (p & 63)
	}
	for _, w := range high {
		out = binary.LittleEndian.AppendUint64(out, w)
	}
	bw := bitWriter{buf: out}
	for i := range hs {
		h := &hs[i]
		bw.put(h[0]<<u|h[1]>>(64-u), 64)
		bw.put(h[1]<<u|h[2]>>(64-u), 64)
		bw.put(h[2]<<u|h[3]>>(64-u), 64)
		bw.put(h[3], 64-u)
	}
	return bw.flush()
}

// bitWriter packs values LSB-first into little-endian uint64 words.
type bitWriter struct {
	buf  []byte
	acc  uint64
	nacc uint
}

// put appends the low n bits of v (n <= 64; v has no higher bits set
// except when n == 64).
func (w *bitWriter) put(v uint64, n uint) {
	if n < 64 {
		v &= 1<<n - 1
	}
	w.acc |= v << w.nacc
	if w.nacc+n < 64 {
		w.nacc += n
		return
	}
	w.buf = binary.LittleEndian.AppendUint64(w.buf, w.acc)
	used := 64 - w.nacc
	w.acc = 0
	if used < 64 {
		w.acc = v >> used
	}
	w.nacc = n - used
}

func (w *bitWriter) flush() []byte {
	if w.nacc > 0 {
		w.buf = binary.LittleEndian.AppendUint64(w.buf, w.acc)
		w.acc, w.nacc = 0, 0
	}
	return w.buf
}
