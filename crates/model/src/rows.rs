//! The one loop of [`FusedMlp`](crate::FusedMlp)'s passes, specialised per width.

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

impl RowSums<'_> {
    /// Computes every row of `targets`. For the menu's widths the accumulator is a fixed-size
    /// array the compiler keeps in registers; other widths take a slice loop.
    pub(crate) fn write_to(&self, targets: &mut [f32], width: usize) {
        macro_rules! by_width {
            ($($n:literal),*) => {
                match width {
                    $($n => self.fixed::<$n>(targets),)*
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

    fn fixed<const N: usize>(&self, targets: &mut [f32]) {
        let (rows, _) = self.rows.as_chunks::<N>();
        let mut init = [0.0; N];
        if let Some(row) = self.init {
            init.copy_from_slice(row);
        }
        for (t, target) in targets.as_chunks_mut::<N>().0.iter_mut().enumerate() {
            let mut acc = init;
            for (k, row) in rows.iter().enumerate() {
                let c = self.coef(t, k);
                for (a, &r) in acc.iter_mut().zip(row) {
                    *a += c * r;
                }
            }
            *target = acc;
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
