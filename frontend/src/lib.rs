//! WASM entry point. The public pages are server-rendered; only `#[island]` components hydrate.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // Pulls in every island so the bundle registers them.
    #[expect(unused_imports, reason = "linking the islands into the bundle is the point")]
    use app::*;
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
