"""Courses, lessons, quizzes and go-live readiness (content arrives in the training issue)."""
