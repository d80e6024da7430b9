fn main() {
    // Only the app's own commands exist for the window; each is granted in capabilities/.
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(&[
        "app_info",
        "sign_in",
        "today_board",
        "search_items",
        "item_detail",
        "check_id",
        "preview_intake",
        "submit_intake",
        "find_cases",
        "case_detail",
        "supplement_case",
        "extend_case",
        "decide_case",
        "ready_case",
        "collect_case",
        "register_inquiry",
        "list_inquiries",
        "reply_inquiry",
    ])))
    .expect("tauri build script");
}
