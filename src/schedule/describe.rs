pub fn describe() {}
