"""Demo data that looks like the real thing: VNPost, real places, real procedures, a user per role."""
