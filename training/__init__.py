"""Courses, lessons, quizzes, agents' progress and go-live readiness."""
