// Command pagematch builds reference indexes of manga pages and finds
// pirated copies of them.
//
// Usage:
//
//	pagematch index build -o FILE [--regions=false] [--workers N] [--meta key=value ...] PATH...
//	pagematch index info [--json] [--memory] FILE
//	pagematch index merge -o OUT [--on-collision fail|skip|rename] A B...
//	pagematch match --index FILE [--json] [--threshold N] [--detail-threshold N] [--workers N] PATH...
//	pagematch hash [--json] [--phash] [--regions] [--workers N] PATH...
//	pagematch version
//
// Every command takes -h for its flags. Flags may come before or after the
// paths; "--" ends the flags.
//
// # Inputs
//
// A PATH is an image file (JPEG, PNG, GIF or WebP) or a folder. A folder is
// walked recursively in lexical order; a file in it that is neither named
// nor shaped like an image is skipped with a line on stderr. A file named on
// the command line is always read, so a non-image there is an error. For
// match and hash, "-" reads one image from standard input.
//
// In an index, an entry's ID is the file's path relative to the PATH
// argument it came from, with '/' separators; for a file argument it is the
// file's base name.
//
// index build also stores the top and bottom halves of each page's content,
// so that a copy with a logo over one half still matches through the
// other; match then hashes the halves of each input too. --regions=false
// builds a smaller index of whole pages. Every view is stored with its
// detail hash (format version 3), which match uses to confirm what the
// hash finds: a different page of the same composition can come within
// the threshold by the hash, not by the detail. Indexes of earlier
// versions still load; their matches are not confirmed.
//
// Images are fingerprinted by --workers goroutines (default GOMAXPROCS);
// results are always reported in input order.
//
// # Output
//
// match --json prints one JSON object per input image:
//
//	{"path":"s/a.jpg","match":true,"id":"ch1/p001.jpg","distance":7,"detail":31,"variant":"page","quality":92}
//	{"path":"s/b.jpg","match":false,"quality":88}
//	{"path":"s/c.jpg","error":"fingerprint: unsupported or corrupt image: ..."}
//
// id and distance name the best reference and are present whenever match is
// true, together with the distance between the detail hashes that
// confirmed the match ("detail", absent for an index without them), the
// query variant that matched ("page", "mirror",
// "left", "right", ...) and the entry's metadata, if any ("meta"). quality is
// the query's quality score; "low_quality":true marks a query too blank to
// match anything (see fingerprint.MinQuality).
//
// # Exit status
//
// 0 on success; 1 when any input failed (the others are still processed,
// and build still writes its index), when an index is damaged, or when
// merge finds colliding IDs (nothing is written unless --on-collision says
// otherwise); 2 for a usage error; 130 when interrupted (Ctrl-C), in which
// case no index is written. Errors and notices go to stderr, prefixed
// "pagematch:".
package main
