pub mod case;
pub mod ifreset;
