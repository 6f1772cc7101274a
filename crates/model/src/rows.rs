//! The one loop of [`FusedMlp`](crate::FusedMlp)'s passes, specialised per width.

use dfdx::prelude::*;
use multiversion::multiversion;

/// `targets[t] = init + sum over k of coef(t, k) * rows[k]`, for every row `t` of `targets`,
/// with `k` ascending and `coef(t, k) = coefs[t * t_stride + k * k_stride]`. Rows are `width`
/// long; `init` is one row (zeros when absent).
///
/// The forward pass, the weight gradients and the back-propagated deltas are all this loop
/// with different operands. The order of the sums is fixed, so results do not depend on the
/// width's specialisation.
pub(crate) struct RowSums<'a> {
    pub(crate) init: Option<&'a [f32]>,
    pub(crate) coefs: &'a [f32],
    pub(crate) t_stride: usize,
    pub(crate) k_stride: usize,
    pub(crate) rows: &'a [f32],
}

/// From this width on, a row of accumulators no longer fits in registers and dfdx's matrix
/// product (the `gemm` crate: register tiling, AVX and FMA where the CPU has them) is faster,
/// copies of the operands included: 1.5x for a 2-128-128-1 network at batch 100 (`benches/README.md`).
const GEMM_WIDTH: usize = 64;

impl RowSums<'_> {
    /// Computes every row of `targets`. For the menu's widths the accumulator is a fixed-size
    /// array the compiler keeps in registers; other widths take a slice loop.
    pub(crate) fn write_to(&self, targets: &mut [f32], width: usize) {
        if width >= GEMM_WIDTH {
            return self.gemm(targets, width);
        }
        macro_rules! by_width {
            ($($n:literal),*) => {
                match width {
                    $($n => fixed::<$n>(self, targets),)*
                    _ => self.any_width(targets, width),
                }
            };
        }
        // The menu's widths, which also cover 1-5 inputs or outputs.
        with_menu_widths!(by_width)
    }

    fn coef(&self, t: usize, k: usize) -> f32 {
        self.coefs[t * self.t_stride + k * self.k_stride]
    }

    /// The same sums as one matrix product `coefs (t x k) . rows (k x width)` through dfdx.
    /// Their order is gemm's, fixed for a given CPU.
    fn gemm(&self, targets: &mut [f32], width: usize) {
        let dev = Cpu::default();
        let (t, k) = (targets.len() / width, self.rows.len() / width);
        let rows = dev.tensor_from_vec(self.rows.to_vec(), (k, width));
        // The passes' coefficients are always a whole matrix, row-major or transposed.
        let coefs = self.coefs[..t * k].to_vec();
        let product = if self.k_stride == 1 {
            debug_assert!(t == 1 || self.t_stride == k);
            dev.tensor_from_vec(coefs, (t, k)).matmul(rows)
        } else {
            debug_assert!(self.t_stride == 1 && self.k_stride == t);
            dev.tensor_from_vec(coefs, (k, t))
                .permute::<_, Axes2<1, 0>>()
                .matmul(rows)
        };
        product.copy_into(targets);
        if let Some(init) = self.init {
            for target in targets.chunks_exact_mut(width) {
                for (x, &b) in target.iter_mut().zip(init) {
                    *x += b;
                }
            }
        }
    }

    fn any_width(&self, targets: &mut [f32], width: usize) {
        for (t, acc) in targets.chunks_exact_mut(width).enumerate() {
            match self.init {
                Some(row) => acc.copy_from_slice(row),
                None => acc.fill(0.0),
            }
            for (k, row) in self.rows.chunks_exact(width).enumerate() {
                let c = self.coef(t, k);
                for (a, &r) in acc.iter_mut().zip(row) {
                    *a += c * r;
                }
            }
        }
    }
}

/// [`RowSums::write_to`] for rows of `N`: the accumulator is an array the compiler keeps in
/// registers. Compiled twice, for AVX2 and for the baseline, and picked at run time by the CPU
/// (`multiversion`): 1.6x on the 20-wide sums of TP1. Both compute every sum in the same order,
/// so the results are the same.
#[multiversion(targets("x86_64+avx2"))]
fn fixed<const N: usize>(sums: &RowSums<'_>, targets: &mut [f32]) {
    let (rows, _) = sums.rows.as_chunks::<N>();
    let mut init = [0.0; N];
    if let Some(row) = sums.init {
        init.copy_from_slice(row);
    }
    for (t, target) in targets.as_chunks_mut::<N>().0.iter_mut().enumerate() {
        let mut acc = init;
        if sums.k_stride == 1 {
            // Contiguous coefficients: no index arithmetic or bounds check per term.
            let coefs = &sums.coefs[t * sums.t_stride..][..rows.len()];
            for (row, &c) in rows.iter().zip(coefs) {
                add_scaled(&mut acc, c, row);
            }
        } else {
            for (k, row) in rows.iter().enumerate() {
                add_scaled(&mut acc, sums.coef(t, k), row);
            }
        }
        *target = acc;
    }
}

/// `acc += c * row`.
#[inline(always)]
fn add_scaled<const N: usize>(acc: &mut [f32; N], c: f32, row: &[f32; N]) {
    for (a, &r) in acc.iter_mut().zip(row) {
        *a += c * r;
    }
}
