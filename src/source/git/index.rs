//! The git index, read for the pre-commit view.
//!
//! libgit2 reads an index by hashing all of it (SHA-1 with collision
//! detection), and diffs it against HEAD by reading every tree of HEAD:
//! two thirds of a `--staged` run in a repository of 10,000 files. Here the
//! entries and the cached trees (the `TREE` extension) are read as they are,
//! nothing is hashed, and a directory whose cached tree is HEAD's is passed
//! over whole: a commit of one file reads only the trees on that file's
//! path. What this reader does not know (a split or sparse index, an
//! extension git requires readers to understand, intent-to-add entries,
//! anything malformed) it leaves to libgit2 by returning nothing.
//!
//! The format: git's Documentation/gitformat-index.txt, versions 2 to 4.

use git2::{Oid, Repository, Tree};

/// One entry: a path at one stage (0, or 1 to 3 for a conflict).
#[derive(Debug)]
pub(super) struct Entry {
    pub path: Vec<u8>,
    pub mode: u32,
    pub oid: Oid,
    stage: u8,
}

#[derive(Debug)]
pub(crate) struct Index {
    /// Sorted by path, then stage, as the file stores them.
    entries: Vec<Entry>,
    /// The cached trees, if the file has them.
    tree: Option<CachedTree>,
}

/// A directory's tree as of the last time git wrote it, and how many
/// entries it covers (they follow one another in the index).
#[derive(Debug)]
struct CachedTree {
    name: Vec<u8>,
    entries: usize,
    /// None: a change under the directory invalidated it.
    oid: Option<Oid>,
    children: Vec<CachedTree>,
}

/// A path the index adds or changes against HEAD: its new mode and blob,
/// and the object it had at HEAD if it was there.
#[derive(Debug, PartialEq)]
pub(super) struct Change {
    pub path: Vec<u8>,
    pub mode: u32,
    pub oid: Oid,
    pub before: Option<Oid>,
}

const TREE_MODE: i32 = 0o040000;

impl Index {
    /// The index at `path`, if this reader knows its format.
    pub(super) fn read(path: &std::path::Path) -> Option<Index> {
        parse(&std::fs::read(path).ok()?)
    }

    /// The entry at `path`, stage 0.
    pub(super) fn get(&self, path: &[u8]) -> Option<&Entry> {
        let i = self.entries.partition_point(|e| e.path.as_slice() < path);
        self.entries.get(i).filter(|e| e.path == path && e.stage == 0)
    }

    /// What the index adds or changes against `head` (none: no commit
    /// yet), in path order. A conflicted path is neither: it has no one
    /// version to scan until it is resolved.
    pub(super) fn changes(&self, repo: &Repository, head: Option<&Tree<'_>>) -> Result<Vec<Change>, git2::Error> {
        let mut walk = Walk { entries: &self.entries, at: 0, out: Vec::new() };
        let unchanged = |tree: &Tree<'_>| self.tree.as_ref().is_some_and(|c| c.oid == Some(tree.id()));
        match head {
            Some(tree) if unchanged(tree) => return Ok(Vec::new()),
            Some(tree) => walk.tree(repo, tree, &[], self.tree.as_ref())?,
            None => {}
        }
        walk.added_before(None);
        Ok(walk.out)
    }
}

/// HEAD's trees and the index, side by side in path order (a directory
/// sorts as its name and a slash, as in the index).
struct Walk<'a> {
    entries: &'a [Entry],
    at: usize,
    out: Vec<Change>,
}

impl Walk<'_> {
    fn tree(
        &mut self,
        repo: &Repository,
        tree: &Tree<'_>,
        prefix: &[u8],
        cached: Option<&CachedTree>,
    ) -> Result<(), git2::Error> {
        for item in tree.iter() {
            let mut path = [prefix, item.name_bytes()].concat();
            if item.filemode() == TREE_MODE {
                path.push(b'/');
                self.added_before(Some(&path));
                let cached = cached.and_then(|c| c.children.iter().find(|c| c.name == item.name_bytes()));
                match cached {
                    Some(c) if c.oid == Some(item.id()) && self.covers(&path, c.entries) => self.at += c.entries,
                    _ => self.tree(repo, &repo.find_tree(item.id())?, &path, cached)?,
                }
                continue;
            }
            self.added_before(Some(&path));
            let same = self.entries[self.at..].iter().take_while(|e| e.path == path).count();
            let versions = &self.entries[self.at..self.at + same];
            self.at += same;
            if let [e] = versions
                && e.stage == 0
                && (e.mode as i32 != item.filemode() || e.oid != item.id())
            {
                self.out.push(Change { path, mode: e.mode, oid: e.oid, before: Some(item.id()) });
            }
        }
        Ok(())
    }

    /// Whether the `count` entries from here are exactly those under
    /// `dir` (which ends in a slash): a cached tree that says so is
    /// trusted only when the index agrees.
    fn covers(&self, dir: &[u8], count: usize) -> bool {
        let Some(range) = self.entries.get(self.at..self.at + count) else { return false };
        let under = |e: &Entry| e.path.starts_with(dir);
        range.first().is_some_and(under)
            && range.last().is_some_and(under)
            && !self.entries.get(self.at + count).is_some_and(under)
    }

    /// The entries before `bound` (all that are left, for none), which
    /// HEAD does not have: added, unless conflicted.
    fn added_before(&mut self, bound: Option<&[u8]>) {
        while let Some(e) = self.entries.get(self.at) {
            if bound.is_some_and(|b| e.path.as_slice() >= b) {
                return;
            }
            let same = self.entries[self.at..].iter().take_while(|x| x.path == e.path).count();
            if same == 1 && e.stage == 0 {
                self.out.push(Change { path: e.path.clone(), mode: e.mode, oid: e.oid, before: None });
            }
            self.at += same;
        }
    }
}

/// Reads big-endian numbers, byte strings and git's variable-length
/// integers off an index file, never past its end.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let taken = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(taken)
    }

    fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_be_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Option<u32> {
        self.take(4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// The bytes up to the next NUL, which is passed over.
    fn until(&mut self, end: u8) -> Option<&'a [u8]> {
        let rest = self.bytes.get(self.at..)?;
        let n = memchr::memchr(end, rest)?;
        self.at += n + 1;
        Some(&rest[..n])
    }

    /// Version 4's prefix length: seven bits a byte, each continuation
    /// adding one (git's `decode_varint`).
    fn varint(&mut self) -> Option<usize> {
        let mut byte = self.take(1)?[0];
        let mut value = usize::from(byte & 0x7f);
        while byte & 0x80 != 0 {
            byte = self.take(1)?[0];
            value = value.checked_add(1)?.checked_mul(128)? | usize::from(byte & 0x7f);
        }
        Some(value)
    }

    fn left(&self) -> usize {
        self.bytes.len().saturating_sub(self.at)
    }
}

const SHA1_LEN: usize = 20;
/// An entry's fields before its path: times, device, inode, mode, owner,
/// size, object id and flags.
const FIXED: usize = 62;
const EXTENDED: u16 = 0x4000;
const INTENT_TO_ADD: u16 = 0x2000;

fn parse(bytes: &[u8]) -> Option<Index> {
    let mut r = Reader { bytes, at: 0 };
    if r.take(4)? != b"DIRC" {
        return None;
    }
    let version = r.u32()?;
    if !(2..=4).contains(&version) {
        return None;
    }
    let count = usize::try_from(r.u32()?).ok()?;
    let mut entries: Vec<Entry> = Vec::with_capacity(count.min(bytes.len() / FIXED));
    for _ in 0..count {
        let start = r.at;
        r.take(24)?;
        let mode = r.u32()?;
        r.take(12)?;
        let oid = Oid::from_bytes(r.take(SHA1_LEN)?).ok()?;
        let flags = r.u16()?;
        let mut fixed = FIXED;
        if flags & EXTENDED != 0 {
            if version < 3 || r.u16()? & INTENT_TO_ADD != 0 {
                return None;
            }
            fixed += 2;
        }
        let path = if version == 4 {
            // The previous path less its last `strip` bytes, then the name.
            let strip = r.varint()?;
            let name = r.until(0)?;
            let previous = entries.last().map_or(&[][..], |e| e.path.as_slice());
            [&previous[..previous.len().checked_sub(strip)?], name].concat()
        } else {
            // Padded with one to eight NULs to a multiple of eight bytes.
            let name = r.until(0)?;
            r.at = start + ((fixed + name.len() + 8) & !7);
            name.to_vec()
        };
        let stage = ((flags >> 12) & 3) as u8;
        if entries.last().is_some_and(|e| (e.path.as_slice(), e.stage) >= (path.as_slice(), stage)) {
            return None;
        }
        entries.push(Entry { path, mode, oid, stage });
    }
    let mut tree = None;
    while r.left() > SHA1_LEN {
        let signature = r.take(4)?;
        let size = usize::try_from(r.u32()?).ok()?;
        let data = r.take(size)?;
        match signature {
            b"TREE" => tree = Some(parse_tree(data)?),
            // An optional extension starts with a capital letter; any
            // other (a split index's `link`, a sparse one's `sdir`) changes
            // what the entries mean.
            s if s[0].is_ascii_uppercase() => {}
            _ => return None,
        }
    }
    (r.left() == SHA1_LEN).then_some(Index { entries, tree })
}

/// The `TREE` extension: each directory (the root first, its name empty)
/// as its name, NUL, its entry count (-1: invalidated), a space, its number
/// of subdirectories, a newline and, unless invalidated, its tree's id;
/// then its subdirectories, each the same way.
fn parse_tree(data: &[u8]) -> Option<CachedTree> {
    let mut r = Reader { bytes: data, at: 0 };
    // Parsed with a stack of open directories rather than by recursion, so
    // that a deep (or hostile) extension cannot overflow the stack.
    let mut open: Vec<(CachedTree, usize)> = Vec::new();
    loop {
        let name = r.until(0)?.to_vec();
        let entries: i64 = std::str::from_utf8(r.until(b' ')?).ok()?.parse().ok()?;
        let subtrees: usize = std::str::from_utf8(r.until(b'\n')?).ok()?.parse().ok()?;
        let oid = if entries >= 0 { Some(Oid::from_bytes(r.take(SHA1_LEN)?).ok()?) } else { None };
        let node = CachedTree { name, entries: usize::try_from(entries).unwrap_or(0), oid, children: Vec::new() };
        open.push((node, subtrees));
        // Close every directory whose subdirectories are all read.
        while let Some((_, 0)) = open.last() {
            let (done, _) = open.pop()?;
            match open.last_mut() {
                Some((parent, left)) => {
                    parent.children.push(done);
                    *left -= 1;
                }
                None => return (r.left() == 0).then_some(done),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_varint_adds_one_per_continuation() {
        for (bytes, value) in [(&[0x05][..], 5), (&[0x80, 0x00][..], 128), (&[0x81, 0x7f][..], 383)] {
            assert_eq!(Reader { bytes, at: 0 }.varint(), Some(value), "{bytes:?}");
        }
        assert_eq!(Reader { bytes: &[0x80], at: 0 }.varint(), None);
    }

    #[test]
    fn what_the_reader_does_not_know_is_left_to_libgit2() {
        let header = |version: u32| [&b"DIRC"[..], &version.to_be_bytes(), &0u32.to_be_bytes()].concat();
        let trailer = [0u8; SHA1_LEN];
        assert!(parse(&[header(2), trailer.to_vec()].concat()).is_some());
        assert!(parse(&[header(5), trailer.to_vec()].concat()).is_none(), "an unknown version");
        let link = [&b"link"[..], &4u32.to_be_bytes(), b"abcd"].concat();
        assert!(parse(&[header(2), link, trailer.to_vec()].concat()).is_none(), "a split index");
        let optional = [&b"UNTR"[..], &4u32.to_be_bytes(), b"abcd"].concat();
        assert!(parse(&[header(2), optional, trailer.to_vec()].concat()).is_some(), "an optional extension");
        assert!(parse(&header(2)).is_none(), "no trailer");
        assert!(parse(b"DIRX").is_none());
    }
}
