// SPDX-License-Identifier: GPL-2.0

//! A page of data owned by one object, with safe copies to and from I/O
//! vectors (userspace, or pages for splice).
//!
//! `kernel::page::Page` copies through raw pointers and leaves it to the
//! caller to prove that no other copy races with it. A [`DataPage`] is
//! owned, never shared, so Rust's borrows make that proof: filling takes
//! `&mut self`, reading takes `&self`.

use kernel::{
    alloc::Flags,
    bindings,
    iov::{IovIterDest, IovIterSource},
    page::{Page, PAGE_SIZE},
    prelude::*,
};

/// One page of an object's data.
pub(crate) struct DataPage(Page);

impl DataPage {
    /// Allocates a page; its content is undefined until filled.
    pub(crate) fn alloc(flags: Flags) -> Result<Self> {
        Ok(Self(Page::alloc_page(flags)?))
    }

    /// Copies up to `len` bytes from `from` into the page at `offset`;
    /// returns how many it copied, fewer than `len` only if `from` ran out
    /// or faulted (`copy_page_from_iter()`). Nothing outside the page.
    pub(crate) fn fill_from_iter(
        &mut self,
        from: &mut IovIterSource<'_>,
        offset: usize,
        len: usize,
    ) -> usize {
        if offset > PAGE_SIZE || len > PAGE_SIZE - offset {
            return 0;
        }
        // SAFETY: the range is inside the page, which `&mut self` owns
        // alone: nothing else reads or writes it meanwhile. The helper
        // maps the page itself.
        unsafe { bindings::copy_page_from_iter(self.0.as_ptr(), offset, len, from.as_raw()) }
    }

    /// Copies up to `len` bytes of the page at `offset` to `to`; returns
    /// how many it copied, fewer than `len` only if `to` ran out or
    /// faulted (`copy_page_to_iter()`). The range must have been filled.
    pub(crate) fn copy_to_iter(
        &self,
        to: &mut IovIterDest<'_>,
        offset: usize,
        len: usize,
    ) -> usize {
        if offset > PAGE_SIZE || len > PAGE_SIZE - offset {
            return 0;
        }
        // SAFETY: the range is inside the page, valid while `self` is;
        // only a `&mut self` method writes it, so no write races with this
        // shared borrow.
        unsafe { bindings::copy_page_to_iter(self.0.as_ptr(), offset, len, to.as_raw()) }
    }
}
