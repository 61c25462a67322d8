"""The local WeChat sandbox: a fake WeChat API, a simulator playing WeChat's server, and a
phone-like chat page, put together by `jobbot demo` (and used by the tests)."""
