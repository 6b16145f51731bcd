//! The median and range of a benchmark's rounds, as its tables show them.

/// The median and range of a few measurements.
#[derive(Debug, Clone, Copy)]
pub struct Stat {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Stat {
    pub const NONE: Stat = Stat {
        median: f64::NAN,
        min: f64::NAN,
        max: f64::NAN,
    };

    pub fn of(values: impl Iterator<Item = f64>) -> Stat {
        let mut values: Vec<f64> = values.collect();
        values.sort_by(f64::total_cmp);
        let median = match values.len() {
            0 => return Stat::NONE,
            len if len % 2 == 1 => values[len / 2],
            len => (values[len / 2 - 1] + values[len / 2]) / 2.0,
        };
        Stat {
            median,
            min: values[0],
            max: values[values.len() - 1],
        }
    }

    /// `median<unit> (min–max)`, or a dash when nothing was measured.
    pub fn show(&self, decimals: usize, unit: &str) -> String {
        if self.median.is_nan() {
            return "–".to_string();
        }
        format!(
            "{:.*}{unit} ({:.*}–{:.*})",
            decimals, self.median, decimals, self.min, decimals, self.max
        )
    }
}
