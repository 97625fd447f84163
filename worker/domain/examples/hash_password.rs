//! Prints the Argon2id PHC string of a password, for the development seed:
//!   cargo run -p shoal-domain --example hash_password -- 'password'
fn main() {
    let password = std::env::args().nth(1).unwrap_or_default();
    let mut salt = [0u8; 16];
    for (i, b) in password.bytes().enumerate() {
        salt[i % 16] ^= b.wrapping_add(i as u8);
    }
    println!("{}", shoal_domain::password::hash(&password, salt).unwrap_or_default());
}
