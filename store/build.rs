// `sqlx::migrate!` embeds the migration files at compile time: a new or changed one must
// rebuild the crate (sqlx's documented build script).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
