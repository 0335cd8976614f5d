//! App code that calls the authapi API, written as a crate outside the authapi workspace would
//! write it. Its tests show the two ways to test such code: typed mocks for unit tests, the
//! in-process stub server for integration tests.

use authapi_client::types::{DeviceId, DeviceSummarySessionType, ErrorCode};
use authapi_client::{Client, Error};

/// What a settings page shows for one of the user's devices: "Chrome on macOS (browser,
/// active)", or "unknown device" when the API has none of that id for the user.
pub async fn device_label(client: &Client, id: &DeviceId) -> Result<String, String> {
    match client.fetch_device(id).await {
        Ok(answer) => {
            let device = answer.into_inner().summary;
            let kind = match device.session_type {
                DeviceSummarySessionType::Browser => "browser",
                DeviceSummarySessionType::Api => "API client",
                DeviceSummarySessionType::Mcp => "MCP client",
            };
            Ok(format!("{} ({kind}, {})", device.title, device.status))
        }
        Err(Error::ErrorResponse(e)) if e.code == ErrorCode::NotFound => {
            Ok("unknown device".to_string())
        }
        Err(Error::ErrorResponse(e)) => Err(format!("{} {}: {}", e.status(), e.code, e.message)),
        Err(other) => Err(other.to_string()),
    }
}
