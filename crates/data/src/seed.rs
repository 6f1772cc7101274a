//! Seeds and random number generators.

/// The random number generator used for data generation, splitting and batch shuffling:
/// ChaCha with 8 rounds, which is portable and reproducible across platforms and versions.
pub type DataRng = rand_chacha::ChaCha8Rng;

/// A [`DataRng`] seeded with `seed` (via `SeedableRng::seed_from_u64`).
pub fn rng(seed: u64) -> DataRng {
    rand::SeedableRng::seed_from_u64(seed)
}

/// Derives an independent seed for the named random stream from an experiment's `seed`.
///
/// The formula is fixed forever, because changing it would change every dataset and run:
///
/// ```text
/// derive_seed(seed, stream) = splitmix64(splitmix64(seed) XOR fnv1a64(stream as UTF-8 bytes))
/// ```
///
/// where `fnv1a64` is the 64-bit FNV-1a hash (offset basis `0xcbf29ce484222325`, prime
/// `0x100000001b3`) and `splitmix64` is Vigna's finaliser:
/// `z = x + 0x9e3779b97f4a7c15; z = (z ^ z >> 30) * 0xbf58476d1ce4e5b9;
/// z = (z ^ z >> 27) * 0x94d049bb133111eb; z ^ z >> 31` (wrapping arithmetic).
///
/// Streams used by this crate: `"data/train"`, `"data/test"` (generators), `"data/split"`
/// (the csv hold-out shuffle) and `"data/validation"` (the validation carve); by `dlp-train`: `"model/init"` (initial weights),
/// `"train/shuffle"` (batch order) and `"train/dropout"` (dropout masks).
///
/// ```
/// let a = dlp_data::derive_seed(42, "data/train");
/// assert_eq!(a, dlp_data::derive_seed(42, "data/train"));
/// assert_ne!(a, dlp_data::derive_seed(42, "data/test"));
/// ```
pub fn derive_seed(seed: u64, stream: &str) -> u64 {
    splitmix64(splitmix64(seed) ^ fnv1a64(stream.as_bytes()))
}

fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Golden values computed independently in Python:
    //   M = 2**64 - 1
    //   def fnv(b):
    //       h = 0xcbf29ce484222325
    //       for c in b: h = ((h ^ c) * 0x100000001b3) & M
    //       return h
    //   def sm(x):
    //       z = (x + 0x9e3779b97f4a7c15) & M
    //       z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & M
    //       z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & M
    //       return z ^ (z >> 31)
    //   derive = lambda s, name: sm(sm(s) ^ fnv(name.encode()))
    #[test]
    fn derive_seed_fixed_values() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c); // published FNV-1a test vector
        assert_eq!(splitmix64(0), 0xe220_a839_7b1d_cdaf); // first output of SplitMix64 seeded 0
        assert_eq!(derive_seed(0, "data/train"), 0xfb3c_210b_8101_0b3c);
        assert_eq!(derive_seed(0, "data/test"), 0xf895_dd90_74ec_5f59);
        assert_eq!(derive_seed(42, "data/train"), 0xf5fe_3ba2_88d7_d40d);
        assert_eq!(derive_seed(u64::MAX, "data/split"), 0xd724_e295_629a_530e);
    }

    #[test]
    fn streams_and_seeds_differ() {
        assert_ne!(derive_seed(1, "data/train"), derive_seed(1, "data/test"));
        assert_ne!(derive_seed(1, "data/train"), derive_seed(2, "data/train"));
    }

    #[test]
    fn rng_is_reproducible() {
        use rand::RngCore;
        let (mut a, mut b, mut c) = (rng(7), rng(7), rng(8));
        let xa: Vec<u64> = (0..4).map(|_| a.next_u64()).collect();
        let xb: Vec<u64> = (0..4).map(|_| b.next_u64()).collect();
        let xc: Vec<u64> = (0..4).map(|_| c.next_u64()).collect();
        assert_eq!(xa, xb);
        assert_ne!(xa, xc);
    }
}
