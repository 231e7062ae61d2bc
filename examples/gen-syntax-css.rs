//! Writes the highlighting stylesheet to standard output:
//! `cargo run --example gen-syntax-css > static/syntax.css`. A unit test fails when the
//! committed file differs from this output.

fn main() {
    print!("{}", quire::highlight::css());
}
