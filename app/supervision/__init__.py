"""Oversight for supervisors: dashboards, the heatmap, the 否定报备 register, 内审 and the 电子监察 feed."""
