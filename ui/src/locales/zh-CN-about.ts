// 简体中文: 设置 → 关于 (components/AboutSection.tsx); zh-CN.ts holds them under `about`.
import type { Resources } from "./en";

export const aboutZhCN: Resources["about"] = {
  title: "关于 paydesk",
  version: "版本",
  commit: "提交",
  dataDir: "数据目录",
  dataSet: "显示的数据",
  store: "历史记录保存在",
  storeSqlite: "本收银台自己的文件（SQLite），位于数据目录中",
  storePostgres: "共享的 PostgreSQL 服务器 {{url}}",
  storeUnknown: "尚未检查",
  copy: "复制诊断信息",
  copyHelp: "用于联系技术支持：版本、提交、系统、语言、数据集、历史记录的保存位置以及状态栏的检查结果。绝不包含密码、密钥或客户数据。",
};
