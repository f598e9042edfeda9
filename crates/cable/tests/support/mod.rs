#![allow(unreachable_pub, dead_code)]

pub mod case;
pub mod check;
pub mod ifreset;
