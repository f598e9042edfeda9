//! Parse `.mod` files and print diagnostics: `cargo run -p ranvier-nmodl --example nmodl_check -- FILES… [--dump]`.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use ranvier_span::{RenderStyle, SourceFile, render};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let show_dump = args.iter().any(|a| a == "--dump");
    let mut failed = 0;
    for path in args.iter().filter(|a| !a.starts_with("--")) {
        let text = match std::fs::read(path) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(e) => {
                eprintln!("{path}: {e}");
                failed += 1;
                continue;
            }
        };
        let (module, diags) = ranvier_nmodl::parse(&text);
        let file = SourceFile::new(path.clone(), text);
        if show_dump {
            println!("{}", ranvier_nmodl::dump(&module));
        }
        for d in &diags {
            println!("{}\n", render(d, &file, RenderStyle::Plain));
        }
        if diags.iter().any(|d| d.is_error()) {
            failed += 1;
        }
        println!(
            "{path}: {} items, {} diagnostics",
            module.items.len(),
            diags.len()
        );
    }
    std::process::exit(i32::from(failed > 0));
}
