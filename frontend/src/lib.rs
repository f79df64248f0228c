//! WASM entry point. Pages are server-rendered; only `#[island]` components hydrate.

// Naming the crate links it, and with it every island's `#[wasm_bindgen]` export.
use app as _;

/// The WASM entry the generated loader calls: hydrates each island of the server-rendered page
/// (nothing else runs in the browser); panics are reported to the browser console.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
