package index

import (
	"syscall"
	"unsafe"
)

const (
	madvHugepage = 14 // MADV_HUGEPAGE
	madvCollapse = 25 // MADV_COLLAPSE, Linux 6.1
)

// adviseHuge asks Linux to back the 2 MiB-aligned interior of a large
// array with transparent huge pages (when THP is in "madvise" mode, the
// common default, it otherwise never is). A search reads thousands of
// random places in arrays of hundreds of megabytes: with 4 KiB pages
// nearly every read also misses the TLB, and under a hypervisor a page
// walk is itself several memory reads. It is advice: errors are ignored
// and the contents are unchanged. Call it before the array is first
// written, so that the pages are faulted in huge.
func adviseHuge[T any](s []T) { madviseHuge(s, madvHugepage) }

// collapseHuge moves the 2 MiB-aligned interior of s to huge pages now
// if it is not already there: memory the Go heap reused was faulted in
// small pages before adviseHuge could act. It costs a copy of those
// pages, once, when the index is loaded.
func collapseHuge[T any](s []T) { madviseHuge(s, madvCollapse) }

func madviseHuge[T any](s []T, advice int) {
	const huge = 2 << 20
	size := uintptr(len(s)) * unsafe.Sizeof(*new(T))
	if size < 2*huge {
		return
	}
	p := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
	lo := (p + huge - 1) &^ (huge - 1)
	hi := (p + size) &^ (huge - 1)
	if hi <= lo {
		return
	}
	b := unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(s)), lo-p)), hi-lo)
	_ = syscall.Madvise(b, advice)
}
