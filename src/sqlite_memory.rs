//! SQLite allocates through the process's allocator (mimalloc) instead of the C library's
//! malloc, and keeps no memory statistics.
//!
//! Measured on the varied bureau dashboard at national scale (2026-12-03): SQLite's worker threads
//! spent 14 % of the server's CPU in glibc's malloc (`malloc_consolidate`, `_int_malloc`,
//! `unlink_chunk` and the statistics mutex), because every row value sqlx reads is copied by
//! SQLite on one thread and freed on another; and glibc's per-thread arenas kept what was freed.
//!
//! The only unsafe code of the crate: the callbacks SQLite calls (`sqlite3_mem_methods`), over
//! `std::alloc` with a 16-byte header that holds each block's size, as SQLite's `xSize` needs it.

#![allow(unsafe_code)]

use std::alloc::{Layout, alloc, dealloc, realloc};
use std::ffi::{c_int, c_void};
use std::ptr::null_mut;
use std::sync::Once;

use libsqlite3_sys as ffi;

/// Room before each block for its size; also its alignment (SQLite needs 8).
const HEADER: usize = 16;

fn layout(size: usize) -> Option<Layout> {
    Layout::from_size_align(size.checked_add(HEADER)?, HEADER).ok()
}

unsafe extern "C" fn x_malloc(size: c_int) -> *mut c_void {
    let Some(layout) = usize::try_from(size).ok().and_then(layout) else { return null_mut() };
    // SAFETY: the layout has a non-zero size (HEADER at least).
    let base = unsafe { alloc(layout) };
    if base.is_null() {
        return null_mut();
    }
    // SAFETY: base is valid for HEADER bytes and aligned for usize; the block follows the header.
    unsafe {
        base.cast::<usize>().write(layout.size() - HEADER);
        base.add(HEADER).cast()
    }
}

/// The start of the allocation and its size, of a block `x_malloc` or `x_realloc` gave.
///
/// # Safety
/// `block` is a non-null block from `x_malloc` or `x_realloc`, not yet freed.
unsafe fn base_of(block: *mut c_void) -> (*mut u8, usize) {
    // SAFETY: the caller's promise: the header precedes the block and holds its size.
    unsafe {
        let base = block.cast::<u8>().sub(HEADER);
        (base, base.cast::<usize>().read())
    }
}

unsafe extern "C" fn x_free(block: *mut c_void) {
    if block.is_null() {
        return;
    }
    // SAFETY: SQLite frees only blocks this allocator gave, once each.
    unsafe {
        let (base, size) = base_of(block);
        if let Some(layout) = layout(size) {
            dealloc(base, layout);
        }
    }
}

unsafe extern "C" fn x_realloc(block: *mut c_void, size: c_int) -> *mut c_void {
    if block.is_null() {
        // SAFETY: as x_malloc.
        return unsafe { x_malloc(size) };
    }
    let Some(new) = usize::try_from(size).ok().and_then(layout) else { return null_mut() };
    // SAFETY: SQLite reallocates only live blocks this allocator gave; the old layout is the one
    // they were allocated with, and the new size is non-zero and fits a Layout.
    unsafe {
        let (base, old) = base_of(block);
        let Some(old) = layout(old) else { return null_mut() };
        let moved = realloc(base, old, new.size());
        if moved.is_null() {
            return null_mut();
        }
        moved.cast::<usize>().write(new.size() - HEADER);
        moved.add(HEADER).cast()
    }
}

unsafe extern "C" fn x_size(block: *mut c_void) -> c_int {
    if block.is_null() {
        return 0;
    }
    // SAFETY: SQLite asks the size of live blocks this allocator gave.
    let (_, size) = unsafe { base_of(block) };
    c_int::try_from(size).unwrap_or(c_int::MAX)
}

unsafe extern "C" fn x_roundup(size: c_int) -> c_int {
    size.saturating_add(7) & !7
}

unsafe extern "C" fn x_init(_: *mut c_void) -> c_int {
    ffi::SQLITE_OK
}

unsafe extern "C" fn x_shutdown(_: *mut c_void) {}

/// Configures SQLite's memory once, before its first connection; later calls do nothing.
pub fn configure() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let methods = ffi::sqlite3_mem_methods {
            xMalloc: Some(x_malloc),
            xFree: Some(x_free),
            xRealloc: Some(x_realloc),
            xSize: Some(x_size),
            xRoundup: Some(x_roundup),
            xInit: Some(x_init),
            xShutdown: Some(x_shutdown),
            pAppData: null_mut(),
        };
        // SAFETY: sqlite3_config is called before any connection is opened in this process (it
        // refuses with SQLITE_MISUSE once SQLite is initialized, which leaves glibc's malloc in
        // place); SQLite copies the methods, whose functions live as long as the process.
        let (malloc, stats) = unsafe {
            (
                ffi::sqlite3_config(ffi::SQLITE_CONFIG_MALLOC, &raw const methods),
                ffi::sqlite3_config(ffi::SQLITE_CONFIG_MEMSTATUS, 0 as c_int),
            )
        };
        if malloc != ffi::SQLITE_OK || stats != ffi::SQLITE_OK {
            tracing::warn!(malloc, stats, "SQLite was initialized before its memory could be configured");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_keep_their_size_through_realloc_and_are_aligned() {
        // SAFETY: the blocks are used as SQLite would: within their size, freed once.
        unsafe {
            let a = x_malloc(24);
            assert_eq!(a as usize % 8, 0);
            assert_eq!(x_size(a), 24);
            a.cast::<u8>().write_bytes(7, 24);
            let b = x_realloc(a, 4000);
            assert_eq!(x_size(b), 4000);
            assert_eq!(b.cast::<u8>().add(23).read(), 7);
            x_free(b);
            assert!(x_malloc(-1).is_null());
            assert_eq!(x_roundup(13), 16);
            x_free(null_mut());
        }
    }
}
