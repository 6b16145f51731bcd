//! `validate`: the checks of `send`, offline. Every bad line is reported as
//! it is found, so memory stays flat however many there are.

use crate::args::ValidateArgs;
use crate::lines;
use crate::output::outln;
use crate::progress;
use crate::scan::{Scan, Scanned};

pub fn run(args: &ValidateArgs) -> Result<bool, String> {
    let input = lines::open(&args.input)?;
    let name = input.name.clone();
    let bar = progress::reading(input.size);
    let mut scan = Scan::checking(input, None);
    let (mut valid, mut invalid) = (0u64, 0u64);
    loop {
        let scanned = scan.next().map_err(|error| {
            format!("reading {name} failed after line {}: {error}", scan.lines())
        })?;
        match scanned {
            None => break,
            Some(Scanned::Line { .. }) => valid += 1,
            Some(Scanned::Rejected { line, reason }) => {
                invalid += 1;
                bar.suspend(|| outln!("line {line}: {reason}"));
            }
        }
        bar.set_position(scan.bytes_read());
        bar.set_message(format!("{valid} valid, {invalid} invalid"));
    }
    bar.finish_and_clear();
    let blank = scan.blank_lines();
    let blank = if blank > 0 {
        format!(", {blank} blank lines skipped")
    } else {
        String::new()
    };
    outln!(
        "{name}: {} lines, {valid} valid events, {invalid} invalid lines{blank}",
        scan.lines()
    );
    Ok(invalid == 0)
}
