// SPDX-License-Identifier: GPL-2.0

//! A page of data owned by one object, with safe copies to and from
//! userspace.
//!
//! `kernel::page::Page` copies through raw pointers and leaves it to the
//! caller to prove that no other copy races with it. A [`DataPage`] is
//! owned, never shared, so Rust's borrows make that proof: filling takes
//! `&mut self`, reading takes `&self`.

use kernel::{
    alloc::Flags,
    bindings,
    page::{Page, PAGE_SIZE},
    prelude::*,
    uaccess::{UserSliceReader, UserSliceWriter},
};

/// One page of an object's data.
pub(crate) struct DataPage(Page);

impl DataPage {
    /// Allocates a page; its content is undefined until filled.
    pub(crate) fn alloc(flags: Flags) -> Result<Self> {
        Ok(Self(Page::alloc_page(flags)?))
    }

    /// Copies `len` bytes from `reader` into the page at `offset`. All or
    /// nothing: on `EFAULT` the reader did not advance. `EINVAL` if the
    /// range is outside the page.
    pub(crate) fn fill_from_user(
        &mut self,
        reader: &mut UserSliceReader,
        offset: usize,
        len: usize,
    ) -> Result {
        // SAFETY: `&mut self` is the only access to the page: it is owned
        // by this `DataPage` and never handed out.
        unsafe { self.0.copy_from_user_slice_raw(reader, offset, len) }
    }

    /// Copies `len` bytes of the page at `offset` to `writer`, which must
    /// have been filled before. All or nothing, as above.
    pub(crate) fn copy_to_user(
        &self,
        writer: &mut UserSliceWriter,
        offset: usize,
        len: usize,
    ) -> Result {
        if offset > PAGE_SIZE || len > PAGE_SIZE - offset {
            return Err(EINVAL);
        }
        // SAFETY: the page is valid (owned by `self`); the local mapping
        // is undone below, on this task, before any other mapping.
        let base = unsafe { bindings::kmap_local_page(self.0.as_ptr()) }.cast::<u8>();
        // SAFETY: `offset + len <= PAGE_SIZE`, so the range is inside the
        // mapped page. Only a `&mut self` method writes the page, so no
        // write races with this shared borrow, and the caller copies only
        // bytes it filled before.
        let data = unsafe { core::slice::from_raw_parts(base.add(offset), len) };
        let ret = writer.write_slice(data);
        // SAFETY: `base` was mapped above and `data` is not used any more.
        unsafe { bindings::kunmap_local(base.cast()) };
        ret
    }
}
