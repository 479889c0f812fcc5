package index

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// CollisionPolicy says what Merge does with an ID found in more than one
// input.
type CollisionPolicy int

const (
	// CollisionFail (the default) makes Merge fail with a
	// *CollisionError listing the colliding IDs; nothing is written.
	CollisionFail CollisionPolicy = iota
	// CollisionSkip keeps the entry of the earliest input and drops the
	// others.
	CollisionSkip
	// CollisionRename keeps every entry, renaming a later one to
	// "ID~k" (k is its input's position, from 1), with a further "~2",
	// "~3"... if that is taken too.
	CollisionRename
)

// Collision is one ID present in two inputs.
type Collision struct {
	ID string
	// First and Second are the positions (from 0) of the input that
	// added the ID first and of the one that repeats it.
	First, Second int
}

// maxListedCollisions bounds the list kept in a CollisionError.
const maxListedCollisions = 1000

// CollisionError lists IDs that collide across merge inputs.
type CollisionError struct {
	// Collisions holds the first collisions found, at most 1000.
	Collisions []Collision
	// Total counts all of them.
	Total int
}

func (e *CollisionError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "index: merge: ID collisions (%d)", e.Total)
	sep := ": "
	for i, c := range e.Collisions {
		if i == 5 {
			b.WriteString(", ...")
			break
		}
		fmt.Fprintf(&b, "%s%q (inputs %d and %d)", sep, c.ID, c.First, c.Second)
		sep = ", "
	}
	return b.String()
}

// MergeStats counts what Merge did.
type MergeStats struct {
	Inputs     int
	Entries    int // entries written
	Collisions int
	Skipped    int
	Renamed    int
}

// MergeOption configures Merge.
type MergeOption func(*mergeConfig)

type mergeConfig struct {
	policy  CollisionPolicy
	builder []BuilderOption
	open    []Option
}

// OnCollision sets the collision policy (default CollisionFail).
func OnCollision(p CollisionPolicy) MergeOption {
	return func(c *mergeConfig) { c.policy = p }
}

// WithOutputOptions passes options to the Builder of the merged index,
// such as WithCreated.
func WithOutputOptions(opts ...BuilderOption) MergeOption {
	return func(c *mergeConfig) { c.builder = append(c.builder, opts...) }
}

// WithInputOptions passes options to the readers of the inputs, such as
// WithMaxEntries or WithAlgorithm (by default inputs may use any
// algorithm, but all must use the same).
func WithInputOptions(opts ...Option) MergeOption {
	return func(c *mergeConfig) { c.open = append(c.open, opts...) }
}

// Merge reads the index files in inputs, in order, and writes one index
// holding all their entries to w. IDs found in more than one input are
// handled by the collision policy; by default they are an error of type
// *CollisionError and nothing is written. All inputs must have the same
// fingerprint algorithm (ErrAlgorithm otherwise). Merge checks ctx between
// inputs and every 64Ki entries.
//
// Detail hashes are carried over; entries of an input without them keep
// none (zero: not recorded, so their matches are not checked).
//
// Memory: the merged entries are held in a Builder (about 100 bytes per
// entry plus the strings).
func Merge(ctx context.Context, w io.Writer, inputs []io.Reader, opts ...MergeOption) (MergeStats, error) {
	b, st, err := mergeInputs(ctx, inputs, nil, opts)
	if err != nil {
		return st, err
	}
	if _, err := b.WriteTo(w); err != nil {
		return st, err
	}
	return st, nil
}

// MergeFiles merges the index files at inputs into the file out, written
// atomically (see Builder.Save). See Merge.
func MergeFiles(ctx context.Context, out string, inputs []string, opts ...MergeOption) (MergeStats, error) {
	readers := make([]io.Reader, len(inputs))
	sizes := make([]int64, len(inputs))
	for i, p := range inputs {
		f, err := os.Open(p)
		if err != nil {
			return MergeStats{}, fmt.Errorf("index: merge: %w", err)
		}
		defer f.Close()
		sizes[i] = -1
		if fs, err := f.Stat(); err == nil && fs.Mode().IsRegular() {
			sizes[i] = fs.Size()
		}
		readers[i] = bufio.NewReaderSize(f, 1<<20)
	}
	b, st, err := mergeInputs(ctx, readers, sizes, opts)
	if err != nil {
		return st, err
	}
	return st, b.Save(out)
}

func mergeInputs(ctx context.Context, inputs []io.Reader, sizes []int64, opts []MergeOption) (*Builder, MergeStats, error) {
	var mc mergeConfig
	for _, o := range opts {
		o(&mc)
	}
	st := MergeStats{Inputs: len(inputs)}
	var b *Builder
	owner := make(map[string]int) // ID -> input that added it
	cerr := &CollisionError{}
	algorithm := ""
	for k, r := range inputs {
		if err := ctx.Err(); err != nil {
			return nil, st, err
		}
		cfg := defaultOpenConfig()
		cfg.algorithm = ""
		for _, o := range mc.open {
			o.applyOpen(&cfg)
		}
		size := int64(-1)
		if sizes != nil {
			size = sizes[k]
		}
		c, err := decodeColumns(r, size, &cfg)
		if err != nil {
			return nil, st, fmt.Errorf("index: merge: input %d: %w", k, err)
		}
		if b == nil {
			algorithm = c.hdr.algorithm
			bo := append([]BuilderOption{WithAlgorithm(algorithm), WithThreshold(c.hdr.threshold)}, mc.builder...)
			b = NewBuilder(bo...)
		} else if c.hdr.algorithm != algorithm {
			return nil, st, fmt.Errorf("index: merge: input %d: %w: %q, input 0 has %q", k, ErrAlgorithm, c.hdr.algorithm, algorithm)
		}
		var buf []byte
		regions := make([]Region, 0, len(regionKinds))
		for i := range c.hashes {
			if i&(1<<16-1) == 0 {
				if err := ctx.Err(); err != nil {
					return nil, st, err
				}
			}
			buf = c.appendID(buf[:0], i)
			e := Entry{ID: string(buf), Hash: c.hashes[i], Quality: c.quality[i]}
			if c.details != nil {
				e.Detail = c.details[i]
			}
			if c.hasRegions() {
				e.Regions = regions[:0] // Add copies them
				for k, kind := range regionKinds {
					r := Region{Kind: kind, Hash: c.regions[k][i], Quality: c.regionQuality[k][i]}
					if c.regionDetails[k] != nil {
						r.Detail = c.regionDetails[k][i]
					}
					e.Regions = append(e.Regions, r)
				}
			}
			e.Meta, buf = c.meta(i, buf)
			if first, dup := owner[e.ID]; dup {
				st.Collisions++
				switch mc.policy {
				case CollisionSkip:
					st.Skipped++
					continue
				case CollisionRename:
					e.ID = renamed(e.ID, k, owner)
					st.Renamed++
				default:
					cerr.Total++
					if len(cerr.Collisions) < maxListedCollisions {
						cerr.Collisions = append(cerr.Collisions, Collision{ID: e.ID, First: first, Second: k})
					}
					continue
				}
			}
			if err := b.Add(e); err != nil {
				if errors.Is(err, ErrDuplicateID) {
					err = fmt.Errorf("%w (input %d repeats an ID)", err, k)
				}
				return nil, st, fmt.Errorf("index: merge: input %d: %w", k, err)
			}
			owner[e.ID] = k
		}
	}
	if cerr.Total > 0 {
		return nil, st, cerr
	}
	if b == nil {
		b = NewBuilder(mc.builder...)
	}
	st.Entries = b.Len()
	return b, st, nil
}

// renamed returns a new ID for id from input k that no input has used.
func renamed(id string, k int, taken map[string]int) string {
	base := id + "~" + strconv.Itoa(k+1)
	name := base
	for i := 2; ; i++ {
		if _, ok := taken[name]; !ok {
			return name
		}
		name = base + "~" + strconv.Itoa(i)
	}
}
