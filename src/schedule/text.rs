//! String building for hot paths: `format!` runs the formatting machinery
//! (padding, width parsing) for what is a plain concatenation, which the
//! simulator does several times per simulated Job.

/// The parts joined, in one allocation of the exact size.
pub fn concat(parts: &[&str]) -> String {
    let mut s = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        s.push_str(p);
    }
    s
}

/// [`concat()`] as a [`SmolStr`](smol_str::SmolStr): a short result is kept
/// inline and a long one is copied once into its shared buffer, where
/// `concat(..).into()` would allocate twice (the `String`, then the copy).
pub fn concat_smol(parts: &[&str]) -> smol_str::SmolStr {
    const INLINE: usize = 23;
    if parts.iter().map(|p| p.len()).sum::<usize>() <= INLINE {
        let mut b = smol_str::SmolStrBuilder::new();
        for p in parts {
            b.push_str(p);
        }
        return b.finish();
    }
    thread_local! {
        static SCRATCH: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    SCRATCH.with(|s| match s.try_borrow_mut() {
        Ok(mut s) => {
            s.clear();
            for p in parts {
                s.push_str(p);
            }
            smol_str::SmolStr::new(s.as_str())
        }
        Err(_) => concat(parts).into(),
    })
}

/// Appends `n` in decimal, zero-padded to `width` digits (`{:0width$}` for
/// a non-negative `n`; wider numbers are written in full).
pub fn push_padded(s: &mut String, n: u64, width: usize) {
    let mut buf = Digits::new();
    let digits = decimal(n, &mut buf);
    for _ in digits.len()..width {
        s.push('0');
    }
    s.push_str(digits);
}

/// Room for a `u64` in decimal, for [`decimal`].
pub type Digits = itoa::Buffer;

/// `n` in decimal, written into `buf` without `fmt`. `itoa` writes two
/// digits a step and hands back the text without the UTF-8 check a
/// `from_utf8` over our own buffer paid: half the cost of a store write's
/// resourceVersion.
pub fn decimal(n: u64, buf: &mut Digits) -> &str {
    buf.format(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concat_joins_parts_like_format() {
        assert_eq!(concat(&["ns", "/", "name"]), format!("{}/{}", "ns", "name"));
        assert_eq!(concat(&[]), "");
    }

    #[test]
    fn push_padded_matches_zero_padded_format() {
        for (n, w) in [(0u64, 2usize), (7, 2), (12, 2), (2025, 4), (99, 4), (12345, 4), (0, 0)] {
            let mut s = String::new();
            push_padded(&mut s, n, w);
            assert_eq!(s, format!("{n:0w$}"));
        }
    }

    #[test]
    fn decimal_matches_display_up_to_u64_max() {
        for n in [0u64, 9, 10, 104_732, u64::MAX] {
            assert_eq!(decimal(n, &mut Digits::new()), n.to_string());
        }
    }
}
